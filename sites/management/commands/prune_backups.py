from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sites import audit
from sites.backups_retention import backups_dir, expired, listed


class Command(BaseCommand):
    help = (
        "删除 var/backups 中过期的站点备份：早于 --keep-days 天、且不是该站点最新的 --keep-last 份的"
        "（只处理本系统命名的 <代码>-<时间>.tar.gz）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--keep-days", type=int, default=settings.CMS_BACKUP_KEEP_DAYS)
        parser.add_argument("--keep-last", type=int, default=settings.CMS_BACKUP_KEEP_LAST)
        parser.add_argument("--dry-run", action="store_true", help="只列出，不删除")

    def handle(self, *args, **options):
        if options["keep_days"] < 1 or options["keep_last"] < 1:
            raise CommandError("--keep-days 和 --keep-last 至少为 1。")
        gone = expired(listed(), keep_days=options["keep_days"], keep_last=options["keep_last"])
        for backup in gone:
            self.stdout.write(f"{'将删除' if options['dry_run'] else '删除'} {backup.path.name}")
            if not options["dry_run"]:
                backup.path.unlink(missing_ok=True)
        if gone and not options["dry_run"]:
            audit.record(
                "backups_pruned",
                target=str(backups_dir()),
                files=[b.path.name for b in gone],
                keep_days=options["keep_days"],
                keep_last=options["keep_last"],
            )
        verb = "可删除" if options["dry_run"] else "已删除"
        self.stdout.write(self.style.SUCCESS(f"{verb} {len(gone)} 份过期备份。"))
