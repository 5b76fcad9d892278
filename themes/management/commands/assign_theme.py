from django.core.management.base import BaseCommand, CommandError

from sites.models import SiteKind, Tenant
from themes.models import Theme
from themes.services import ThemeError, assign_theme, assign_theme_to_kind, set_lock


class Command(BaseCommand):
    help = "为站点指定网站主题：--site 指定一个站点，--kind 指定某类全部站点（跳过已锁定的站点）。"

    def add_arguments(self, parser):
        parser.add_argument("theme", help="主题代码，如 blue、red")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--site", help="站点代码")
        target.add_argument("--kind", choices=SiteKind.values, help="站点类型")
        parser.add_argument("--lock", action="store_true", help="指定后锁定主题（仅 --site）")
        parser.add_argument("--unlock", action="store_true", help="解除锁定（仅 --site）")
        parser.add_argument("--force", action="store_true", help="站点已锁定时仍然更换（仅 --site）")

    def handle(self, *args, **options):
        theme = Theme.objects.filter(slug=options["theme"]).first()
        if theme is None:
            raise CommandError(
                f"主题“{options['theme']}”不存在，可选：{', '.join(Theme.objects.values_list('slug', flat=True))}。"
            )
        try:
            if options["site"]:
                tenant = Tenant.objects.sites().filter(code=options["site"]).first()
                if tenant is None:
                    raise CommandError(f"站点“{options['site']}”不存在。")
                if options["unlock"]:
                    set_lock(tenant, False)
                lock = True if options["lock"] else None
                assign_theme(theme, tenant, lock=lock, force=options["force"])
                self.stdout.write(self.style.SUCCESS(f"{tenant.name}：{theme.name}"))
            else:
                changed, skipped = assign_theme_to_kind(theme, options["kind"])
                for tenant in changed:
                    self.stdout.write(self.style.SUCCESS(f"{tenant.name}：{theme.name}"))
                for tenant in skipped:
                    self.stdout.write(f"{tenant.name}：主题已锁定，未更换")
        except ThemeError as exc:
            raise CommandError(str(exc)) from exc
