"""``manage.py supervise [--site CODE] [--json]``: every check of every serving site, today's result
kept (re-running the same day replaces it), alarms raised and the daily digest mailed."""

import json

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from supervision.checks import services
from supervision.checks.rules import label


class Command(BaseCommand):
    help = "按国办秘函〔2019〕19号检查每个站点：得分、单项否决和问题清单，保存当天结果并发送预警摘要。"

    def add_arguments(self, parser):
        parser.add_argument("--site", help="只检查这个站点（站点代码）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")
        parser.add_argument("--no-alarms", action="store_true", help="不产生预警、不发邮件")

    def handle(self, *args, **options):
        code = options["site"]
        if code and not services.sites(code).exists():
            raise CommandError(f"没有运行中的站点“{code}”。")
        as_json = options["json"]

        def progress(items):
            return tqdm(items, desc="网站监管", unit="站", disable=as_json or options["verbosity"] == 0)

        results = services.run(code, alarms=not options["no_alarms"], progress=progress)
        if as_json:
            rows = [
                {key: result[key] for key in ("site", "name", "score", "passed", "vetoes", "findings")}
                for result in results
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for result in results:
            verdict = "合格" if result["passed"] else "不合格"
            vetoes = "、".join(label(code) for code in result["vetoes"]) or "无"
            self.stdout.write(
                f"{result['site']}  {result['name']}  {result['score']} 分  {verdict}  单项否决：{vetoes}"
            )
            for item in result["findings"]:
                mark = "否决" if item.get("veto") else "扣分" if item.get("points") else "提醒"
                where = f"  {item['url']}" if item.get("url") else ""
                self.stdout.write(f"  [{mark}] {item['rule']}: {item['message']}{where}")
