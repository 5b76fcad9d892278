from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context
from tqdm import tqdm
from wagtail.models import Page

from cms.visibility import listed
from publishing.catalogue.static_output import export_site, output_root
from sites.commands import sites_for_option
from sites.models import Tenant


class Command(BaseCommand):
    help = "把各站点的在线页面写成静态文件（每个域名一个目录），供 nginx 在应用停止时直接提供。"

    def add_arguments(self, parser):
        parser.add_argument("--site", help="只导出这个站点")

    def handle(self, *args, **options):
        sites = list(sites_for_option(options["site"], Tenant.objects.serving()))
        total = 0
        for tenant in sites:
            with schema_context(tenant.schema_name):
                total += listed(Page.objects).filter(depth__gte=2).count()
        with tqdm(total=total, desc="静态化发布", unit="页", disable=options["verbosity"] == 0) as bar:
            for tenant in sites:
                export_site(tenant, progress=lambda: bar.update(1))
        self.stdout.write(self.style.SUCCESS(f"已导出 {len(sites)} 个站点、{total} 个页面到 {output_root()}"))
