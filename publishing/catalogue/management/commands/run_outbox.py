import time

from django.core.management.base import BaseCommand

from publishing.catalogue.engines import drain
from publishing.catalogue.models import OutboxEvent


class Command(BaseCommand):
    help = "处理发件箱：把发布变更送到非事务性引擎（Elasticsearch、静态化、CDN），失败自动重试。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="处理完当前到期的事件后退出")
        parser.add_argument("--engine", action="append", help="只处理这个引擎（可重复）")
        parser.add_argument("--interval", type=float, default=2.0, help="空闲时的轮询间隔（秒）")

    def handle(self, *args, **options):
        while True:
            applied, failed = drain(engines=options["engine"])
            if applied or failed:
                pending = OutboxEvent.objects.pending().count()
                self.stdout.write(f"  · 已处理 {applied}，失败待重试 {failed}，未完成 {pending}")
            if options["once"] and not applied:
                return
            if not applied:
                time.sleep(options["interval"])
