"""Remove abandoned enrolments: unconfirmed authenticator devices older than a day (run daily)."""

from django.core.management.base import BaseCommand

from sites.policy import mfa


class Command(BaseCommand):
    help = f"删除超过 {mfa.UNCONFIRMED_DEVICE_DAYS} 天仍未完成绑定的身份验证器（放弃的绑定）；建议每天运行一次。"

    def handle(self, *args, **options):
        deleted = mfa.prune_unconfirmed_devices()
        self.stdout.write(f"已删除 {deleted} 个未完成绑定的身份验证器。")
