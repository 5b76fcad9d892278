"""manage.py ingest_access_log FILE…: 访问量 from nginx's (or gunicorn's) access logs.

Idempotent: run it as often as you like over the live log and its rotations (docs/operations.md).
"""

import time

from django.core.management.base import BaseCommand, CommandError

from ...ingest import ingest


class Command(BaseCommand):
    help = "读取 nginx 或 gunicorn 的访问日志，按站点、栏目和日期统计访问量和独立用户（可重复执行）。"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="日志文件（可为 .gz 或已轮转的文件；旧的在前）")

    def handle(self, *args, files, **options):
        started = time.monotonic()
        try:
            lines, views = ingest(files)
        except FileNotFoundError as error:
            raise CommandError(f"找不到日志文件：{error.filename}") from error
        seconds = max(time.monotonic() - started, 1e-6)
        self.stdout.write(
            f"读取 {lines} 行新日志，计入 {views} 次页面访问，用时 {seconds:.2f} 秒（{lines / seconds:,.0f} 行/秒）。"
        )
