from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sites.models import Role
from sites.roles import RoleError, revoke_role, site_by_code
from sites.scope import revoke_portal_web_office

from .grant_role import ROLE_CHOICES


class Command(BaseCommand):
    help = "撤销用户在某站点的角色（全站群角色不指定站点；系统管理员指定门户时撤销该门户的本级网站办）。"

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True)
        parser.add_argument("--site", help="站点代码")
        parser.add_argument("--role", required=True, choices=ROLE_CHOICES)

    def handle(self, *args, **options):
        role = Role.from_label(options["role"])
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"用户“{options['user']}”不存在。")
        try:
            tenant = site_by_code(options["site"]) if options["site"] else None
            if role == Role.SYSTEM_ADMIN and tenant is not None:
                if not revoke_portal_web_office(user, tenant):
                    raise CommandError(f"“{user.username}”不是门户“{tenant.code}”的本级网站办。")
            else:
                revoke_role(user, role, tenant)
        except RoleError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"已撤销 {user.username} 的“{role.label}”角色"))
