import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sites import audit
from sites.models import Role
from sites.roles import RoleError, grant_role, site_by_code
from sites.scope import grant_portal_web_office, portal_web_office_error

ROLE_CHOICES = [str(role.label) for role in Role] + list(Role.values) + ["web_office", "网站办"]


class ScopeRefused(CommandError):
    """A portal-bound web office refused (not a portal, or 三员分立); the message is for people."""

    def __init__(self, message, *, site_code, username):
        super().__init__(message)
        self.site_code, self.username = site_code, username


class Command(BaseCommand):
    help = (
        "授予用户在某站点的角色（安全管理员、审计管理员是全站群角色，不指定站点；"
        "系统管理员（网站办）不指定站点时管理全站群，指定门户站点时只管理该门户及其下级站点）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True)
        parser.add_argument("--site", help="站点代码")
        parser.add_argument("--role", required=True, choices=ROLE_CHOICES)
        parser.add_argument("--create", action="store_true", help="用户不存在时创建")
        parser.add_argument("--name", default="", help="姓名（与 --create 一起用）")
        parser.add_argument("--password-stdin", action="store_true", help="从标准输入读取新用户的密码")
        parser.add_argument(
            "--allow-second-administrator",
            action="store_true",
            help="三员分立的例外：允许同一人兼任第二个管理员角色（记入审计日志）",
        )

    def handle(self, *args, **options):
        try:
            self.grant(options)
        except ScopeRefused as exc:
            # Recorded after the grant's transaction rolled back, so the refusal stays in the log.
            audit.record(
                "role_refused",
                tenant_code=exc.site_code,
                target=exc.username,
                role=Role.SYSTEM_ADMIN.value,
                scope="subtree",
                reason=str(exc),
            )
            raise

    def grant(self, options):
        role = Role.from_label(options["role"])
        User = get_user_model()
        try:
            with transaction.atomic():
                tenant = site_by_code(options["site"]) if options["site"] else None
                user = User.objects.filter(username=options["user"]).first()
                if user is None:
                    if not options["create"]:
                        raise CommandError(f"用户“{options['user']}”不存在（要创建请加 --create）。")
                    user = User(username=options["user"], full_name=options["name"])
                    if options["password_stdin"]:
                        password = sys.stdin.readline().rstrip("\n")
                        validate_password(password, user)
                        user.set_password(password)
                    else:
                        user.set_unusable_password()
                    user.save()
                if role == Role.SYSTEM_ADMIN and tenant is not None:
                    # A city's (or the province portal's own) web office: its portal's subtree only.
                    refusal = portal_web_office_error(user, tenant)
                    if refusal:
                        raise ScopeRefused(refusal, site_code=tenant.code, username=user.get_username())
                    grant_portal_web_office(user, tenant)
                else:
                    grant_role(user, role, tenant, allow_second_administrator=options["allow_second_administrator"])
        except (RoleError, ValidationError) as exc:
            message = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise CommandError(message) from exc
        where = f"站点 {tenant.code}" if tenant else "全站群"
        if role == Role.SYSTEM_ADMIN and tenant is not None:
            where = f"门户 {tenant.code} 及其下级站点"
        self.stdout.write(self.style.SUCCESS(f"已授予 {user.username} {where} 的“{role.label}”角色"))
