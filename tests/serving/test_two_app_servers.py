"""Two app servers, one PostgreSQL and one Redis: a publish on one is served by the other within the
page cache's recheck interval (serving/pagecache.py: the purge counter lives in the shared cache).

Two real gunicorn processes (gunicorn.conf.py) on the session's test database and the machine's
Redis; the article is published by the test process through the same shared cache, committed (the
servers see only committed data) and removed again afterwards.
"""

import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django_tenants.utils import schema_context

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PORTS = (8380, 8381)  # this suite's own range
MARGIN = 5.0  # seconds beyond the recheck interval: process scheduling on a busy machine


def redis_url():
    url = os.environ.get("CMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    import redis

    redis.Redis.from_url(url, socket_connect_timeout=1).ping()  # no Redis: the test fails, it is not skipped
    return url


def database_url():
    db = connection.settings_dict
    host = db.get("HOST") or "127.0.0.1"
    host = quote(host, safe="") if host.startswith("/") else host
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def fetch(port, host, path):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback only
        return answer.read().decode()


def wait_serving(port, host, path, process, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"gunicorn on {port} exited"
        try:
            return fetch(port, host, path)
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"gunicorn on {port} did not answer")


def in_own_connection(work):
    """Run ``work`` in a thread: its own connection, in autocommit, so the servers see what it commits."""
    from django.db import connections

    errors = []

    def run():
        try:
            work()
        except Exception as exc:  # noqa: BLE001 - handed to the test
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


@pytest.fixture
def two_servers(django_db_setup, django_db_blocker, tmp_path):
    url = redis_url()
    prefix = f"two-servers-{os.getpid()}"
    with django_db_blocker.unblock():
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cms.settings.test",
            "DATABASE_URL": database_url(),
            "CMS_BENCH_REDIS_URL": url,
            "CMS_CACHE_KEY_PREFIX": prefix,
            "GUNICORN_WORKERS": "1",
            "GUNICORN_THREADS": "2",
            "GUNICORN_LOG_LEVEL": "warning",
            "CMS_VAR_DIR": str(tmp_path),
        }
        processes = []
        try:
            for port in PORTS:
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "cms.wsgi"],
                        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                        cwd=ROOT,
                        stdout=(tmp_path / f"{port}.log").open("w"),
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                    )
                )
            for port, process in zip(PORTS, processes, strict=True):
                wait_serving(port, "jtj.localhost", "/zwdt/gzdt/", process)
            # The test process purges through the same Redis as the servers.
            caches = {**settings.CACHES}
            caches["default"] = {
                **caches["default"],
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": prefix,
            }
            with override_settings(CACHES=caches):
                yield PORTS
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)


def test_a_publish_on_one_is_served_by_the_other_within_the_recheck_interval(cluster, two_servers, django_db_blocker):
    from cms.models import ArticlePage, ColumnPage

    first, second = two_servers
    title = f"两台应用服务器发布测试{os.getpid()}"
    # Both have the column cached (a second GET is a hit from the shared cache).
    for port in (first, second):
        fetch(port, "jtj.localhost", "/zwdt/gzdt/")
        assert title not in fetch(port, "jtj.localhost", "/zwdt/gzdt/")

    made = {}

    def publish():
        with schema_context("jtj"):
            column = ColumnPage.objects.get(slug="gzdt")
            page = column.add_child(instance=ArticlePage(title=title, slug=f"two-servers-{os.getpid()}", live=False))
            page.save_revision().publish()
            made["pk"] = page.pk

    in_own_connection(publish)
    try:
        interval = getattr(settings, "CMS_PAGE_CACHE_RECHECK", 1.0)
        deadline = time.monotonic() + interval + MARGIN
        served = {}
        while time.monotonic() < deadline and len(served) < 2:
            for port in (first, second):
                if port not in served and title in fetch(port, "jtj.localhost", "/zwdt/gzdt/"):
                    served[port] = True
            time.sleep(0.1)
        assert set(served) == {first, second}, f"still the old column on {set(two_servers) - set(served)}"
    finally:

        def remove():
            with schema_context("jtj"):
                ArticlePage.objects.filter(pk=made["pk"]).delete()

        in_own_connection(remove)
