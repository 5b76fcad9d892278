"""The availability probe: a real HTTP request to the site's public host and port, as a visitor's."""

import socket
import threading
from datetime import timedelta
from io import StringIO
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.management import call_command
from django.utils import timezone

from supervision.crawler.models import Probe
from supervision.crawler.probe import availability, probe_sites

from .loopback import loopback_server

pytestmark = pytest.mark.django_db


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class _ThreadedServer(WSGIServer):
    daemon_threads = True


@pytest.fixture
def live_site():
    """The real WSGI application (page-cache front included) on a loopback port, in a thread.

    The thread has its own database connection: it sees the committed session cluster (the sites
    and their homepages), which is what the probe asks for.
    """
    from cms.wsgi import application

    server = make_server("127.0.0.1", 0, application, server_class=_ThreadedServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def dead_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again: nothing listens there


@pytest.fixture
def loopback(settings):
    settings.SUPERVISION_PROBE_ADDRESS = "127.0.0.1"
    return settings


def test_a_live_homepage_counts_as_available(cluster, loopback, live_site):
    loopback.CMS_PUBLIC_PORT = str(live_site)
    jtj = cluster.sites["jtj"]
    (probe,) = probe_sites([jtj])
    assert probe.ok and probe.status_code == 200 and probe.error == ""
    assert Probe.objects.filter(tenant=jtj, ok=True).count() == 1
    assert availability(jtj) == (1, 0, 0.0)


def test_a_dead_port_a_server_error_and_a_slow_homepage_count_as_failed(cluster, loopback):
    jtj = cluster.sites["jtj"]
    loopback.CMS_PUBLIC_PORT = str(dead_port())
    (refused,) = probe_sites([jtj])
    assert not refused.ok and refused.status_code is None and refused.error == "连接被拒绝"

    def routes(path):
        return (500, {}, 0) if routes.mode == "error" else (200, {}, 1.0)

    with loopback_server(routes) as (port, recorder):
        loopback.CMS_PUBLIC_PORT = str(port)
        routes.mode = "error"
        (error,) = probe_sites([jtj])
        routes.mode = "slow"
        (slow,) = probe_sites([jtj], timeout=0.3)
        assert recorder.hosts[0] == f"jtj.localhost:{port}"  # the site's Host header, as a browser sends it
    assert not error.ok and error.status_code == 500
    assert not slow.ok and slow.error == "访问超时"
    assert availability(jtj) == (3, 3, 1.0)


def test_availability_counts_the_last_days_only(cluster):
    jyj = cluster.sites["jyj"]
    now = timezone.now()
    Probe.objects.bulk_create(
        [Probe(tenant=jyj, at=now - timedelta(minutes=5 * n), ok=n % 20 != 0, seconds=0.1) for n in range(40)]
        + [Probe(tenant=jyj, at=now - timedelta(days=8), ok=False, seconds=15)]
    )
    probes, failed, ratio = availability(jyj, days=7)
    assert (probes, failed) == (40, 2) and ratio == pytest.approx(0.05)


def test_the_command(cluster, loopback, live_site):
    loopback.CMS_PUBLIC_PORT = str(live_site)
    out = StringIO()
    call_command("probe_availability", "--site", "jyj", stdout=out)
    assert "jyj\t200" in out.getvalue() and "失败 0 个" in out.getvalue()
