from django.core.management.base import BaseCommand

from sites.demo import seed
from sites.models import Tenant


class Command(BaseCommand):
    help = "创建演示站群（门户、三个部门、一个县），可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="已有站点时什么也不做")

    def handle(self, *args, **options):
        if options["if_empty"] and Tenant.objects.sites().exists():
            self.stdout.write("  · 已有站点，跳过演示数据")
            return
        seed(step=lambda text: self.stdout.write(f"  · {text}"))
