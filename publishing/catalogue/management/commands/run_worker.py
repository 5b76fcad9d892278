"""The one background worker: the outbox, and scheduled publishing on every site.

Several may run at once (rows are locked while they are handled). ``--engine`` limits it to
some outbox engines, ``--no-schedule`` leaves scheduled publishing to another worker.
"""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from publishing.catalogue.engines import drain
from publishing.catalogue.models import OutboxEvent
from publishing.catalogue.scheduling import run_scheduled_everywhere


class Command(BaseCommand):
    help = (
        "后台任务：处理发布发件箱（Elasticsearch、静态化等，失败自动重试），并每分钟在所有站点执行定时发布和到期下线。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="执行一次定时发布、处理完当前到期的发件箱事件后退出")
        parser.add_argument("--engine", action="append", help="只处理这个引擎的发件箱事件（可重复）")
        parser.add_argument("--no-schedule", action="store_true", help="不执行定时发布（由另一个 worker 负责）")
        parser.add_argument("--interval", type=float, default=2.0, help="发件箱空闲时的轮询间隔（秒）")
        parser.add_argument("--schedule-every", type=float, default=60.0, help="定时发布的执行间隔（秒）")

    def handle(self, *args, **options):
        next_schedule = float("inf") if options["no_schedule"] else 0.0
        while True:
            if time.monotonic() >= next_schedule:
                # Before draining: what scheduled publishing changes goes out in the same round.
                self.run_schedule()
                next_schedule = time.monotonic() + options["schedule_every"]
            applied, failed = drain(engines=options["engine"])
            if applied or failed:
                pending = OutboxEvent.objects.pending().count()
                self.stdout.write(f"  · 发件箱：已处理 {applied}，失败待重试 {failed}，未完成 {pending}")
            if options["once"] and not applied:
                return
            if not applied:
                time.sleep(options["interval"])

    def run_schedule(self):
        results = run_scheduled_everywhere()
        failures = {code: error for code, error in results.items() if error}
        stamp = timezone.localtime().strftime("%H:%M:%S")
        self.stdout.write(f"  · {stamp} 定时发布：{len(results)} 个站点" + (f"，失败 {failures}" if failures else ""))
