import signal

from django.core.management.base import BaseCommand, CommandError

from sites.oidc.registration import (
    DEMO_ACCOUNTS,
    DemoProvider,
    backchannel_logout_uri,
    callback_uris,
    logout_return_uris,
)


class Command(BaseCommand):
    help = "在本机启动演示用的统一身份认证服务（OpenID Connect，node oidc-provider），为每个站点域名登记回调地址。"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8339, help="身份认证服务的端口（默认 8339）")
        parser.add_argument("--site-port", default="8000", help="浏览器访问站点用的端口（make run 默认 8000）")

    def handle(self, *args, **options):
        provider = DemoProvider(
            port=options["port"],
            redirect_uris=callback_uris("http", options["site_port"]),
            post_logout_redirect_uris=logout_return_uris("http", options["site_port"]),
            backchannel_logout_uri=backchannel_logout_uri("http", options["site_port"]),
        )
        if not provider.config["client"]["redirect_uris"]:
            raise CommandError("还没有站点：先运行 make demo（或 manage.py seed_demo）。")
        try:
            provider.start()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"统一身份认证演示服务：{provider.issuer}（Ctrl-C 停止）"))
        self.stdout.write("用下面的设置启动站群（另开一个终端）：")
        self.stdout.write(
            f"  CMS_OIDC_ISSUER={provider.issuer} CMS_OIDC_CLIENT_ID={provider.client_id} "
            f"CMS_OIDC_CLIENT_SECRET={provider.client_secret} make run"
        )
        self.stdout.write("演示账号（统一身份认证的登录页）：")
        for account in DEMO_ACCOUNTS:
            second = "，带动态口令（amr 含 otp）" if "otp" in account["amr"] else ""
            self.stdout.write(f"  {account['username']} / {account['password']}（{account['name']}{second}）")
        self.stdout.write(f"已登记 {len(provider.config['client']['redirect_uris'])} 个回调地址。")
        signal.signal(signal.SIGTERM, lambda *args: provider.stop())
        try:
            provider.wait()
        except KeyboardInterrupt:
            pass
        finally:
            provider.stop()
