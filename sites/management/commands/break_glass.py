"""应急超级用户: a time-limited superuser, made only here on the server's command line (三员分立)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sites.duties import MAX_BREAK_GLASS_MINUTES, BreakGlassError, end_break_glass, open_break_glass


class Command(BaseCommand):
    help = "开启（或用 --end 结束）限时的应急超级用户；开启、结束和其间的每一项后台操作都记入审计日志。"

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="用户名（须已存在）")
        parser.add_argument(
            "--minutes", type=int, default=30, help=f"时限（分钟，默认 30，最长 {MAX_BREAK_GLASS_MINUTES}）"
        )
        parser.add_argument("--reason", default="", help="原因（记入审计日志）")
        parser.add_argument("--end", action="store_true", help="立即结束该用户的应急超级用户权限")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"用户“{options['user']}”不存在。")
        if options["end"]:
            ended = end_break_glass(user, why="ended")
            self.stdout.write(
                f"已结束 {user.username} 的应急超级用户权限。" if ended else f"{user.username} 不是超级用户。"
            )
            return
        try:
            grant = open_break_glass(user, minutes=options["minutes"], reason=options["reason"])
        except BreakGlassError as exc:
            raise CommandError(str(exc)) from exc
        until = timezone.localtime(grant.expires_at).strftime("%Y-%m-%d %H:%M")
        self.stdout.write(
            self.style.WARNING(f"{user.username} 在 {until} 前是超级用户；其间每一项后台修改操作都记入审计日志。")
        )
