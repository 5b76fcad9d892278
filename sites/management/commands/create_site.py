import time

from django.core.management.base import BaseCommand, CommandError

from sites.models import SiteKind
from sites.provisioning import ProvisioningError, SiteSpec, create_site

DETAIL_OPTIONS = {
    "short_name": "简称",
    "site_identifier": "政府网站标识码（10 位数字）",
    "sponsor": "主办单位",
    "organizer": "承办单位",
    "icp_number": "ICP备案号",
    "police_record_number": "公安机关备案号",
    "police_record_url": "公安机关备案链接",
    "contact_phone": "联系电话",
    "contact_address": "联系地址",
    "org_code": "组织机构代码（索引号前缀）",
}


class Command(BaseCommand):
    help = "从站点模板创建一个站点（原子操作：失败时不留下任何残留）。"

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="站点代码，如 jtj（同时作为数据库模式名）")
        parser.add_argument("--name", required=True, help="网站名称，如 交通运输局")
        parser.add_argument("--kind", default=SiteKind.DEPARTMENT, choices=SiteKind.values)
        parser.add_argument("--parent", help="上级站点代码，如 portal")
        parser.add_argument("--domain", required=True, help="主域名，如 jtj.example.gov.cn")
        parser.add_argument("--alias", action="append", default=[], help="其他公开域名（可重复）")
        parser.add_argument("--admin-domain", help="后台专用域名（内网采编）")
        for option, label in DETAIL_OPTIONS.items():
            parser.add_argument("--" + option.replace("_", "-"), dest=option, default="", help=label)

    def handle(self, *args, **options):
        details = {key: options[key] for key in DETAIL_OPTIONS if options[key]}
        spec = SiteSpec(
            code=options["code"],
            name=options["name"],
            kind=options["kind"],
            parent=options["parent"],
            domain=(options["domain"] or "").lower(),
            aliases=[a.lower() for a in options["alias"]],
            admin_domain=(options["admin_domain"] or "").lower() or None,
            details=details,
        )
        start = time.perf_counter()
        try:
            tenant = create_site(spec, progress=lambda text: self.stdout.write(f"  · {text}"))
        except ProvisioningError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"已创建站点 {tenant.name}（{tenant.code}），用时 {time.perf_counter() - start:.2f} 秒")
        )
