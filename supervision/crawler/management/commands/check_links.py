"""manage.py check_links [--site CODE] [--json] [--incremental | --changed-since WHEN]

Nightly (full, docs/operations.md) and on demand; prints each site's figures and pages/s, links/s.
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from sites.models import Tenant

from ...external import ExternalChecker
from ...links import run_link_check
from ...models import LinkFinding
from ...state import ClusterState


class Command(BaseCommand):
    help = "检查站点每个公开页面上的链接和附件（站内链接对照站群本身，外部链接逐个访问）。"

    def add_arguments(self, parser):
        parser.add_argument("--site", help="只检查这个站点（站点代码）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")
        parser.add_argument("--incremental", action="store_true", help="只检查上次检查以来更新的页面")
        parser.add_argument("--changed-since", help="只检查这个时间以后更新的页面（ISO 日期或时间）")
        parser.add_argument("--timeout", type=float, help="外部链接超时秒数")
        parser.add_argument(
            "--shard", help="K/N：只检查第 K 份站点（共 N 份，按站点 ID 分），用 N 个进程并行检查整个站群"
        )

    def handle(self, *args, site=None, incremental=False, changed_since=None, timeout=None, shard=None, **options):
        since = None
        if changed_since:
            since = parse_datetime(changed_since)
            if since is None and parse_date(changed_since):
                since = parse_datetime(f"{changed_since}T00:00:00")
            if since is None:
                raise CommandError(f"无法识别的时间“{changed_since}”。")
            if timezone.is_naive(since):
                since = timezone.make_aware(since)
        tenants = Tenant.objects.serving()
        if site:
            tenants = tenants.filter(code=site)
            if not tenants.exists():
                raise CommandError(f"没有运行中的站点“{site}”。")
        if shard:
            try:
                part, parts = (int(value) for value in shard.split("/"))
            except ValueError as error:
                raise CommandError("--shard 的格式是 K/N，如 1/2。") from error
            if not 1 <= part <= parts:
                raise CommandError("--shard 的格式是 K/N，如 1/2。")
            # Rendering is CPU-bound in one process (the GIL): one process per core divides the night.
            tenants = [tenant for tenant in tenants if tenant.pk % parts == part - 1]
        # One checker for the whole pass: its per-host gate spans sites, and so does politeness.
        checker = ExternalChecker(timeout=timeout)
        # One reading of every site's fingerprint for the pass, taken before any site is read.
        state = ClusterState()
        started = time.monotonic()
        summaries = []
        for tenant in tenants:
            summary = run_link_check(
                tenant, incremental=incremental or since is not None, since=since, checker=checker, state=state
            )
            summaries.append(summary)
            if options["json"]:
                summary["findings"] = list(
                    LinkFinding.objects.filter(tenant=tenant)
                    .problems()
                    .values(
                        "page_url", "link_url", "link_text", "status", "kind", "http_status", "reason", "on_homepage"
                    )
                )
            else:
                self.stdout.write(
                    f"{tenant.code}\t页面 {summary['pages']}\t链接 {summary['links']}\t"
                    f"不可用 {summary['broken']}\t需留意 {summary['caution']}\t{summary['seconds']:.1f}s"
                )
                for finding in LinkFinding.objects.filter(tenant=tenant).problems().order_by("page_url"):
                    label = "不可用" if finding.status == "broken" else "需留意"
                    self.stdout.write(
                        f"  [{label}] {finding.page_url} “{finding.link_text}” → {finding.link_url}：{finding.reason}"
                    )
        seconds = max(time.monotonic() - started, 1e-6)
        pages = sum(summary["pages"] for summary in summaries)
        links = sum(summary["links"] for summary in summaries)
        if options["json"]:
            self.stdout.write(
                json.dumps({"sites": summaries, "seconds": round(seconds, 3)}, ensure_ascii=False, default=str)
            )
        else:
            self.stdout.write(
                f"共 {len(summaries)} 个站点，{pages} 个页面，{links} 个链接，用时 {seconds:.1f} 秒"
                f"（{pages / seconds:.1f} 页/秒，{links / seconds:.1f} 链接/秒）。"
            )
