from django.conf import settings
from django.core.management.base import BaseCommand

from sites.oidc.registration import (
    backchannel_logout_uri,
    callback_uris,
    cas_service_pattern,
    cas_service_uris,
    logout_return_uris,
)


class Command(BaseCommand):
    help = "列出要在省统一身份认证登记的地址：每个站点域名的回调地址（redirect_uri）、退出后返回地址、后台通道退出地址，以及 CAS 的服务地址。"

    def add_arguments(self, parser):
        parser.add_argument("--scheme", default=None, help=f"默认 CMS_PUBLIC_SCHEME（{settings.CMS_PUBLIC_SCHEME}）")
        parser.add_argument("--port", default=None, help="默认 CMS_PUBLIC_PORT（浏览器访问站点用的端口）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出（供登记脚本读取）")

    def handle(self, *args, **options):
        callbacks = callback_uris(options["scheme"], options["port"])
        returns = logout_return_uris(options["scheme"], options["port"])
        backchannel = backchannel_logout_uri(options["scheme"], options["port"])
        services = cas_service_uris(options["scheme"], options["port"])
        if options["json"]:
            import json

            document = {
                "redirect_uris": callbacks,
                "post_logout_redirect_uris": returns,
                "backchannel_logout_uri": backchannel,
                "backchannel_logout_session_required": True,
                "cas_service_uris": services,
                "cas_service_pattern": cas_service_pattern(services),
            }
            self.stdout.write(json.dumps(document, indent=2))
            return
        self.stdout.write("# 回调地址 redirect_uris（授权码返回，每个站点域名一个）")
        for uri in callbacks:
            self.stdout.write(uri)
        self.stdout.write("# 退出后返回地址 post_logout_redirect_uris")
        for uri in returns:
            self.stdout.write(uri)
        self.stdout.write("# 后台通道退出地址 backchannel_logout_uri（一个，在单点登录主机上；要求带 sid）")
        self.stdout.write(backchannel)
        self.stdout.write("# CAS 服务地址 service（用 CAS 时登记；回来时带 ?state=…，单点退出也发到这里），及一条正则")
        for uri in services:
            self.stdout.write(uri)
        self.stdout.write(cas_service_pattern(services))
