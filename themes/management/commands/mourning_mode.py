"""哀悼模式 from the command line: ``mourning_mode on|off|status [--site CODE…] [--from …] [--until …]``."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from themes import mourning
from themes.mourning import MourningPeriod


class Command(BaseCommand):
    help = "开启、关闭或查看哀悼模式（全部站点或指定站点变灰），时间为北京时间 YYYY-MM-DD HH:MM。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["on", "off", "status"])
        parser.add_argument("--site", nargs="+", default=[], metavar="CODE", help="站点代码；不写则为全部站点")
        parser.add_argument("--from", dest="starts_at", default="", help="开始时间，不写则为立即")
        parser.add_argument("--until", dest="ends_at", default="", help="结束时间，不写则直到执行 off")
        parser.add_argument("--reason", default="", help="事由，如：全国哀悼日")

    def handle(self, *args, action, site, starts_at, ends_at, reason, **options):
        try:
            sites = mourning.resolve_sites(site) if site else None
            if action == "on":
                period = mourning.schedule(
                    starts_at=mourning.parse_time(starts_at) if starts_at else None,
                    ends_at=mourning.parse_time(ends_at) if ends_at else None,
                    sites=sites,
                    reason=reason,
                )
                self.stdout.write(f"已设置哀悼模式：{period}（{period.state()}）")
                if period.ends_at is None:
                    self.stdout.write("未设结束时间：请在结束时执行 mourning_mode off。")
            elif action == "off":
                if starts_at or ends_at:
                    raise CommandError("off 不接受 --from / --until。")
                changed = mourning.switch_off(sites=sites)
                self.stdout.write(f"已关闭哀悼模式（{changed} 个时段）。")
            else:
                self.status(sites)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    def status(self, sites):
        now = timezone.now()
        periods = MourningPeriod.objects.not_over(now).prefetch_related("sites")
        if sites:
            self.stdout.write(
                "\n".join(
                    f"{site.code} {site.name}：{'灰色显示中' if mourning.is_mourning(site, now) else '正常显示'}"
                    for site in sites
                )
            )
        if not periods:
            self.stdout.write("没有进行中或待开始的哀悼时段。")
        for period in periods:
            self.stdout.write(f"{period.state(now)}：{period}{('（' + period.reason + '）') if period.reason else ''}")
