from django.core.management.base import BaseCommand

from sites.bootstrap import bootstrap


class Command(BaseCommand):
    help = "迁移公共模式、站点模板和所有站点（每次部署都运行，可重复执行）。"

    def handle(self, *args, **options):
        verbosity = max(options["verbosity"] - 1, 0)
        bootstrap(step=lambda text: self.stdout.write(f"  · {text}"), verbosity=verbosity)
        self.stdout.write(self.style.SUCCESS("  · 数据库已就绪"))
