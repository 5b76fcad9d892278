"""What the province's identity provider must know about us, and a real provider for tests and the demo.

``callback_uris`` / ``logout_return_uris``: every host where a login can start, so every host's
callback must be registered with the provider (redirect URIs are matched exactly, host and port
included). ``backchannel_logout_uri``: the one address the provider calls when a person signs out
there (a client has one), on the sign-on hub, where the sessions of every host live. ``DemoProvider`` runs the node ``oidc-provider`` package (scripts/oidc-provider/) on
loopback with a client registered for those URIs.
"""

import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from sites.models import Domain, SiteStatus
from sites.sso import sso_host

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "oidc-provider" / "provider.mjs"
NODE_MODULES = Path(settings.BASE_DIR) / "var" / "node" / "oidc-provider" / "node_modules"

# The demo provider's accounts (published in docs/operations.md; the demo only). One signs in with
# a password alone, one with a password and a one-time code (amr: otp), one is a second newcomer.
DEMO_ACCOUNTS = [
    {"username": "zhangsan", "password": "Tyrz-demo-2026", "sub": "demo-0001", "name": "张三", "amr": ["pwd"]},
    {"username": "lisi", "password": "Tyrz-demo-2026", "sub": "demo-0002", "name": "李四", "amr": ["pwd", "otp"]},
    {"username": "wangwu", "password": "Tyrz-demo-2026", "sub": "demo-0003", "name": "王五", "amr": ["pwd"]},
]
for _account in DEMO_ACCOUNTS:
    _account.setdefault("email", f"{_account['username']}@tyrz.example.cn")
DEMO_CLIENT_ID = "cms-demo"
DEMO_CLIENT_SECRET = "cms-demo-client-secret"  # noqa: S105 - the demo provider's, published in the docs


def site_hosts():
    """Every host of a running site (public names, aliases, admin-only hosts), sorted."""
    # Not the public host: it has no admin (its /admin/ leads on to the portal's, sites/console/).
    hosts = (
        Domain.objects.exclude(tenant__status=SiteStatus.ARCHIVED)
        .exclude(tenant__is_template=True)
        .exclude(tenant__schema_name__in=[settings.PUBLIC_SCHEMA_NAME, settings.CMS_TEMPLATE_SCHEMA])
    )
    return sorted(hosts.values_list("domain", flat=True))


def _origin(host, scheme, port):
    default = "443" if scheme == "https" else "80"
    return f"{scheme}://{host}" + (f":{port}" if port and str(port) != default else "")


def callback_uris(scheme=None, port=None):
    """The redirect URI of every site host: ``{scheme}://{host}[:port]/admin/login/oidc/callback/``."""
    scheme = scheme or settings.CMS_PUBLIC_SCHEME
    port = settings.CMS_PUBLIC_PORT if port is None else port
    path = reverse("oidc_callback", urlconf=settings.ROOT_URLCONF)
    return [_origin(host, scheme, port) + path for host in site_hosts()]


def cas_service_uris(scheme=None, port=None):
    """A CAS server's services: every site host's ``/admin/login/cas/callback/`` (it adds ``?state=…``)."""
    scheme = scheme or settings.CMS_PUBLIC_SCHEME
    port = settings.CMS_PUBLIC_PORT if port is None else port
    path = reverse("cas_callback", urlconf=settings.ROOT_URLCONF)
    return [_origin(host, scheme, port) + path for host in site_hosts()]


def cas_service_pattern(uris):
    """One regular expression for a CAS service registry (Apereo's ``serviceId``) matching ``uris`` and their query."""
    import re

    return "^(" + "|".join(re.escape(uri) for uri in uris) + r")(\?.*)?$"


def logout_return_uris(scheme=None, port=None):
    """Where the provider may send the browser after its logout: every site host's login page."""
    scheme = scheme or settings.CMS_PUBLIC_SCHEME
    port = settings.CMS_PUBLIC_PORT if port is None else port
    path = reverse("wagtailadmin_login", urlconf=settings.ROOT_URLCONF)
    return [_origin(host, scheme, port) + path for host in site_hosts()]


def backchannel_logout_uri(scheme=None, port=None):
    """Where the provider POSTs its logout tokens: the sign-on hub's ``/oidc/backchannel-logout/``."""
    scheme = scheme or settings.CMS_PUBLIC_SCHEME
    port = settings.CMS_PUBLIC_PORT if port is None else port
    path = reverse("oidc_backchannel_logout", urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    return _origin(sso_host(), scheme, port) + path


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DemoProvider:
    """The node provider as a child process on 127.0.0.1; ``with DemoProvider(...) as p: p.issuer``."""

    def __init__(
        self,
        *,
        redirect_uris,
        post_logout_redirect_uris,
        backchannel_logout_uri=None,
        port=None,
        accounts=None,
        client_id=None,
        client_secret=None,
        signing_jwk=None,
    ):
        self.port = port or free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.client_id = client_id or DEMO_CLIENT_ID
        self.client_secret = client_secret or DEMO_CLIENT_SECRET
        self.config = {
            "issuer": self.issuer,
            "port": self.port,
            "cookie_key": secrets.token_urlsafe(32),
            "client": {
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "redirect_uris": list(redirect_uris),
                "post_logout_redirect_uris": list(post_logout_redirect_uris),
            },
            "accounts": accounts or DEMO_ACCOUNTS,
        }
        if signing_jwk:
            self.config["signing_key"] = dict(signing_jwk)  # a private RSA JWK; else one made at start
        if backchannel_logout_uri:
            # Every logout at the provider is POSTed there, with the provider's session id (sid),
            # which the ID token then carries too.
            self.config["client"]["backchannel_logout_uri"] = backchannel_logout_uri
            self.config["client"]["backchannel_logout_session_required"] = True
        self.process = None
        self.output = []

    @staticmethod
    def available():
        return bool(shutil.which("node")) and (NODE_MODULES / "oidc-provider" / "lib" / "index.js").exists()

    def start(self, timeout=30):
        if not self.available():
            raise RuntimeError("node 或 oidc-provider 未安装：运行 bash scripts/system-packages.sh")
        handle, path = tempfile.mkstemp(prefix="cms-oidc-provider-", suffix=".json")
        with os.fdopen(handle, "w") as config:
            json.dump(self.config, config)
        self._config_path = path
        env = {**os.environ, "OIDC_PROVIDER_NODE_MODULES": str(NODE_MODULES)}
        self.process = subprocess.Popen(  # noqa: S603 - our own script, no shell
            [shutil.which("node"), str(SCRIPT), path],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        ready = threading.Event()

        def read():
            for line in self.process.stdout:
                self.output.append(line.rstrip())
                if line.startswith("oidc-provider listening"):
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(timeout) or self.process.poll() is not None:
            self.stop()
            raise RuntimeError("统一身份认证演示服务未能启动：\n" + "\n".join(self.output))
        return self

    def wait(self):
        return self.process.wait()

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if getattr(self, "_config_path", None):
            Path(self._config_path).unlink(missing_ok=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
