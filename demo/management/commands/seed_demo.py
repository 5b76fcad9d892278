from django.core.management.base import BaseCommand, CommandError

from demo.cluster import DemoRefused, ensure_demo_allowed, seed
from sites.models import Tenant


class Command(BaseCommand):
    help = "创建演示站群（省门户、两个市门户及其部门和县），可重复执行；生产环境拒绝执行。"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="已有站点时什么也不做")

    def handle(self, *args, **options):
        try:
            ensure_demo_allowed()  # before anything touches the database
            if options["if_empty"] and Tenant.objects.sites().exists():
                self.stdout.write("  · 已有站点，跳过演示数据")
                return
            seed(step=lambda text: self.stdout.write(f"  · {text}"))
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
