"""``createsuperuser`` is refused (三员分立): no permanent superuser exists.

The three administrators are roles (``grant_role --role 系统管理员`` …); an emergency superuser is
``break_glass --user U --minutes N`` (time-limited, audited). The refusal is audited too.
"""

from django.core.management.base import BaseCommand, CommandError

from sites import audit


class Command(BaseCommand):
    help = "已停用：请用 grant_role 授予管理员角色，紧急情况用 break_glass 开启限时的应急超级用户。"

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*")
        parser.add_argument("--username")
        parser.add_argument("--email")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")
        parser.add_argument("--database")

    def handle(self, *args, **options):
        audit.record("createsuperuser_refused", target=options.get("username") or "")
        raise CommandError(
            "三员分立：不能创建长期超级用户。请用 grant_role 授予系统管理员、安全管理员或审计管理员角色；"
            "紧急情况用 break_glass --user 用户名 --minutes 分钟 开启限时的应急超级用户。"
        )
