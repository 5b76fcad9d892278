"""Theme versions from the command line: list, apply (one site, a kind, the cluster), roll back."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sites.models import SiteKind, Tenant
from themes.models import SiteTheme, Theme
from themes.services import ThemeError, latest_version
from themes.versions import apply_version, rollback, sites_showing, targets


class Command(BaseCommand):
    help = (
        "主题版本：list 列出版本；apply 把某个版本应用到一个站点（--site）、一类站点（--kind）或整个站群（--all），"
        "跳过已锁定主题的站点；rollback 回滚到某个版本（另存为新版本并应用到使用本主题的站点）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "apply", "rollback"])
        parser.add_argument("theme", help="主题代码，如 blue、red")
        parser.add_argument("number", nargs="?", type=int, help="版本号（apply 省略时为最新版本）")
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--site", help="站点代码")
        target.add_argument("--kind", choices=SiteKind.values, help="站点类型")
        target.add_argument("--all", action="store_true", help="整个站群")
        parser.add_argument("--force", action="store_true", help="站点已锁定时仍然应用（仅 --site）")
        parser.add_argument("--comment", default="", help="回滚原因")

    def handle(self, *args, **options):
        theme = Theme.objects.filter(slug=options["theme"]).first()
        if theme is None:
            raise CommandError(f"主题“{options['theme']}”不存在。")
        latest = latest_version(theme)
        if options["action"] == "list":
            used = {}
            for assignment in SiteTheme.objects.filter(theme=theme):
                used[assignment.version_id] = used.get(assignment.version_id, 0) + 1
            for version in theme.versions.select_related("author"):
                author = version.author.get_username() if version.author else "系统"
                self.stdout.write(
                    f"第 {version.number} 版  {version.time}  {author}  {version.comment or '—'}"
                    f"  （{used.get(version.pk, 0)} 个站点）"
                )
            return
        number = options["number"] or (latest.number if options["action"] == "apply" else None)
        if number is None:
            raise CommandError("请给出要回滚到的版本号。")
        version = theme.versions.filter(number=number).first()
        if version is None:
            raise CommandError(f"“{theme.name}”没有第 {number} 版。")
        try:
            if options["action"] == "apply":
                if options["site"]:
                    site = Tenant.objects.sites().filter(code=options["site"]).first()
                    if site is None:
                        raise CommandError(f"站点“{options['site']}”不存在。")
                    scope, tenants = "site", targets("site", site=site)
                elif options["kind"]:
                    scope, tenants = "kind", targets("kind", kind=options["kind"])
                elif options["all"]:
                    scope, tenants = "cluster", targets("cluster")
                else:
                    raise CommandError("请用 --site、--kind 或 --all 指定应用范围。")
                with tqdm(total=len(tenants), desc="应用主题版本", unit="个站点", file=self.stderr) as bar:
                    changed, skipped = apply_version(
                        version,
                        tenants,
                        force=options["force"] and scope == "site",
                        progress=lambda tenant, done: bar.update(1),
                        scope=scope,
                    )
            else:
                with tqdm(total=len(sites_showing(theme)), desc="回滚", unit="个站点", file=self.stderr) as bar:
                    version, changed, skipped = rollback(
                        version, comment=options["comment"], progress=lambda tenant, done: bar.update(1)
                    )
        except (ThemeError, ValidationError) as error:
            raise CommandError("；".join(getattr(error, "messages", [str(error)]))) from error
        self.stdout.write(self.style.SUCCESS(f"“{theme.name}”第 {version.number} 版：已应用到 {len(changed)} 个站点。"))
        for tenant in skipped:
            self.stdout.write(f"{tenant.name}：主题已锁定，未更换")
