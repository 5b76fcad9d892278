"""The availability probe: each serving site's homepage, requested as a visitor requests it.

19号 counts a homepage that fails to load within 15 seconds, or answers with an error, as
unavailable, and a week with 5% or more such probes is a veto. The probe goes over HTTP to the
site's public host and port (``Tenant.base_url`` with ``sites.provisioning.public_port``), through
nginx and whatever else sits in front, because that path is what the inspector measures; an
in-process render would miss a dead nginx or a full disk. It reads the whole body (a visitor waits
for it) and never touches the publishing path: it holds no lock and writes only Probe rows.

``SUPERVISION_PROBE_ADDRESS`` (optional): connect to this address instead of resolving the host,
still sending the site's Host header; for a probe running next to nginx, or the tests (loopback).
"""

import http.client
import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from sites.models import Tenant
from sites.provisioning import public_port

from .models import Probe

TIMEOUT = 15.0  # 19号: a homepage load over 15 s counts as failed
KEEP_DAYS = 400  # a year of probes for the annual figures, then they go


def probe_url(url, timeout=TIMEOUT, address=None):
    """(ok, seconds, status_code, error) for one GET of ``url`` within ``timeout`` seconds in all."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    started = time.monotonic()
    connection = None
    try:
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            connection = http.client.HTTPConnection(address or host, port, timeout=timeout)
        connection.request(
            "GET",
            (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
            headers={"Host": parts.netloc, "User-Agent": "gov-cms-probe/1.0 (+homepage availability)"},
        )
        response = connection.getresponse()
        deadline = started + timeout
        while response.read(65536):
            if time.monotonic() > deadline:
                return False, round(time.monotonic() - started, 3), response.status, "加载超过 15 秒"
        seconds = round(time.monotonic() - started, 3)
        if seconds > timeout:
            return False, seconds, response.status, "加载超过 15 秒"
        if response.status >= 400:
            return False, seconds, response.status, f"首页返回错误（{response.status}）"
        return True, seconds, response.status, ""
    except TimeoutError:
        return False, round(time.monotonic() - started, 3), None, "访问超时"
    except ConnectionRefusedError:
        return False, round(time.monotonic() - started, 3), None, "连接被拒绝"
    except OSError as error:
        return False, round(time.monotonic() - started, 3), None, f"无法访问（{type(error).__name__}）"[:255]
    except http.client.HTTPException as error:
        return False, round(time.monotonic() - started, 3), None, f"响应无效（{type(error).__name__}）"[:255]
    finally:
        if connection is not None:
            connection.close()


def homepage_url(tenant):
    return tenant.base_url(port=_port_part()) + "/"


def _port_part():
    port = public_port()
    default = 443 if getattr(settings, "CMS_PUBLIC_SCHEME", "http") == "https" else 80
    return "" if port == default else port


def probe_sites(tenants=None, timeout=TIMEOUT, address=None, workers=16):
    """Probe each site's homepage (all serving sites by default), in parallel; returns the Probe rows."""
    tenants = list(Tenant.objects.serving() if tenants is None else tenants)
    address = address if address is not None else getattr(settings, "SUPERVISION_PROBE_ADDRESS", None)
    targets = [(tenant, homepage_url(tenant)) for tenant in tenants]
    targets = [(tenant, url) for tenant, url in targets if url != "/"]  # a site without a domain
    now = timezone.now()
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(targets) or 1))) as pool:
        answers = list(pool.map(lambda target: probe_url(target[1], timeout, address), targets))
    probes = [
        Probe(tenant=tenant, at=now, ok=ok, seconds=seconds, status_code=code, error=error)
        for (tenant, _url), (ok, seconds, code, error) in zip(targets, answers, strict=True)
    ]
    Probe.objects.bulk_create(probes)
    Probe.objects.filter(at__lt=now - timedelta(days=KEEP_DAYS)).delete()
    return probes


def availability(tenant, days=7):
    """(probes, failed, ratio) over the last ``days`` days for ``tenant``.

    ``ratio`` is the share of FAILED probes, 0.0–1.0 (0.0 when there was no probe): 19号's veto is
    ``ratio >= 0.05`` over a week.
    """
    probes = Probe.objects.filter(tenant=tenant).since(timezone.now() - timedelta(days=days))
    total = probes.count()
    failed = probes.failed().count()
    return total, failed, (failed / total if total else 0.0)
