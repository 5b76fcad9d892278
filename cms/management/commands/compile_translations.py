"""manage.py compile_translations: the project's zh_Hans .po → .mo, without GNU gettext."""

from django.core.management.base import BaseCommand

from cms.translations import compile_all


class Command(BaseCommand):
    # Runs before the database exists (make setup, the image build): nothing to check yet.
    requires_system_checks = []
    help = "编译项目自带的翻译（cms/locale 下的 .po → .mo，不需要 msgfmt）"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="全部重新编译，不论是否已是最新")

    def handle(self, *args, force=False, **options):
        done = compile_all(force=force)
        for po_path, entries in done:
            self.stdout.write(f"已编译 {po_path}（{entries} 条）")
        if not done:
            self.stdout.write("翻译已是最新")
