"""Reset a user's second factor from the server: the only way for an administrator's account."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sites.policy import mfa


class Command(BaseCommand):
    help = (
        "重置用户的双因素验证（删除身份验证器和恢复码，结束其会话，下次登录重新绑定）。"
        "管理员账号（系统/安全/审计管理员、超级用户）只能用本命令重置；记入审计日志。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="用户名")
        parser.add_argument("--reason", required=True, help="重置原因（记入审计日志），如“手机丢失，已当面核实”")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"用户“{options['user']}”不存在。")
        try:
            devices = mfa.reset_second_factor(user, reason=options["reason"], via="command")
        except mfa.ResetRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已重置 {user.username} 的双因素验证（删除 {devices} 个身份验证器），其下次登录须重新绑定。"
            )
        )
