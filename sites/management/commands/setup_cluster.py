from django.core.management.base import BaseCommand, CommandError

from sites.bootstrap import bootstrap
from sites.deploy import DeployFailed, DeployRefused


class Command(BaseCommand):
    help = "迁移公共模式、站点模板和所有站点（每次部署都运行，可重复执行；中断后重新运行即从未完成的站点继续）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-non-atomic",
            action="store_true",
            help="允许逐站运行不能放进事务的迁移（atomic = False、CONCURRENTLY）；失败时该站可能停在迁移中途。",
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条。")

    def handle(self, *args, **options):
        verbosity = max(options["verbosity"] - 1, 0)
        try:
            bootstrap(
                step=lambda text: self.stdout.write(f"  · {text}"),
                verbosity=verbosity,
                allow_non_atomic=options["allow_non_atomic"],
                progress=not options["no_progress"] and options["verbosity"] > 0,
            )
        except (DeployRefused, DeployFailed) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS("  · 数据库已就绪"))
