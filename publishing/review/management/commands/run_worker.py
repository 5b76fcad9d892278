import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from publishing.catalogue.engines import drain
from publishing.review.scheduling import run_scheduled_everywhere


class Command(BaseCommand):
    help = "后台任务：处理发布发件箱，并每分钟在所有站点执行定时发布和到期下线。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="处理一次发件箱并执行一次定时发布后退出")
        parser.add_argument("--interval", type=float, default=2.0, help="发件箱空闲时的轮询间隔（秒）")
        parser.add_argument("--schedule-every", type=float, default=60.0, help="定时发布的执行间隔（秒）")

    def handle(self, *args, **options):
        next_schedule = 0.0
        while True:
            if time.monotonic() >= next_schedule:
                # Before draining: what scheduled publishing changes goes out in the same round.
                results = run_scheduled_everywhere()
                failures = {code: error for code, error in results.items() if error}
                stamp = timezone.localtime().strftime("%H:%M:%S")
                self.stdout.write(
                    f"  · {stamp} 定时发布：{len(results)} 个站点" + (f"，失败 {failures}" if failures else "")
                )
                next_schedule = time.monotonic() + options["schedule_every"]
            applied, failed = drain()
            if applied or failed:
                self.stdout.write(f"  · 发件箱：已处理 {applied}，失败待重试 {failed}")
            if options["once"]:
                return
            if not applied:
                time.sleep(options["interval"])
