from django.conf import settings
from django.core.management.base import BaseCommand

from demo.cluster import ADMINISTRATOR_COUNT, CITY_WEB_OFFICES, DEMO_USERS
from demo.interaction import demo_codes
from sites.models import Tenant


def tree_order(sites):
    """``(site, depth)`` with each site after its parent: province, its departments, each city and its sites."""
    sites = list(sites)
    known = {site.pk for site in sites}
    children = {}
    for site in sorted(sites, key=lambda site: site.pk):
        parent = site.parent_id if site.parent_id in known else None
        children.setdefault(parent, []).append(site)

    def walk(parent, depth):
        for site in children.get(parent, []):
            yield site, depth
            yield from walk(site.pk, depth + 1)

    return list(walk(None, 0))


class Command(BaseCommand):
    help = "列出站点地址和演示账号。"

    def add_arguments(self, parser):
        parser.add_argument("--port", default=settings.CMS_PUBLIC_PORT or "8000")

    def handle(self, *args, **options):
        port = options["port"]
        self.stdout.write("\n站点（后台在每个地址后加 /admin/）：")
        for tenant, depth in tree_order(Tenant.objects.sites().prefetch_related("domains")):
            hosts = ", ".join(f"http://{d.domain}:{port}/" for d in tenant.domains.all() if not d.is_admin_host)
            name = "  " * depth + tenant.name
            self.stdout.write(f"  {name:<16} {hosts}  [{tenant.get_status_display()}]")
        self.stdout.write(f"  站点导航          http://{settings.CMS_CLUSTER_HOST}:{port}/")
        self.stdout.write(f"\n演示账号（密码均为 {settings.CMS_DEMO_PASSWORD}）：")
        for username, full_name, roles in DEMO_USERS[: ADMINISTRATOR_COUNT + 6] + DEMO_USERS[-1:]:
            what = "、".join(f"{code or '全站群'} {role.label}" for code, role in roles)
            self.stdout.write(f"  {username:<16} {full_name}（{what}）")
            if username == DEMO_USERS[ADMINISTRATOR_COUNT - 1][0]:
                for office, office_name, code in CITY_WEB_OFFICES:
                    portal = Tenant.objects.filter(code=code).first()
                    where = portal.name if portal else code
                    self.stdout.write(f"  {office:<16} {office_name}（{where}本级网站办：只管理本市及下级站点）")
        self.stdout.write("  …… 每个站点都有 <代码>_admin / _editor / _reviewer / _secrecy / _handler")
        self.stdout.write(
            "  管理员账号（全站群角色、站点管理员）须双因素登录：首次登录时按页面提示用手机身份验证器扫码绑定，"
            "并保存恢复码（docs/guide/two-factor.md）；编辑、审核员等账号只需密码。\n"
        )
        codes = demo_codes()
        if codes:
            self.stdout.write("演示留言与依申请公开（在各站“互动交流”栏目凭查询码和手机号后四位 1234 查询）：")
            for site, kind, subject, code, status in codes:
                self.stdout.write(f"  {code}  {site} · {kind} · {subject}（{status}）")
            self.stdout.write("")
