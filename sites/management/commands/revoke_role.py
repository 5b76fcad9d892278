from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sites.models import Role
from sites.roles import RoleError, revoke_role, site_by_code

from .grant_role import ROLE_CHOICES


class Command(BaseCommand):
    help = "撤销用户在某站点的角色（网站办角色不指定站点）。"

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
            revoke_role(user, role, tenant)
        except RoleError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"已撤销 {user.username} 的“{role.label}”角色"))
