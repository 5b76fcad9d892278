"""PostgreSQL restarted under load: requests fail cleanly, the app recovers by itself, and nothing
is half-published.

This test runs its own PostgreSQL (the pgserver wheel, in a temporary directory) so it can stop and
start it, and its own gunicorn against it, with persistent connections, as in production.
"""

import json
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.production import PERSONAL_DATA_KEY

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
HOST = "fault.localhost"

PUBLISHER = """
import json, os, time
from django_tenants.utils import schema_context
from cms.models import ArticlePage, ColumnPage
results = {"ok": 0, "failed": 0}
print("READY", flush=True)
deadline = time.time() + float(os.environ["PUBLISH_SECONDS"])
n = 0
while time.time() < deadline:
    n += 1
    try:
        with schema_context("fault"):
            column = ColumnPage.objects.get(slug="gzdt")
            page = column.add_child(instance=ArticlePage(title=f"故障期间发布{n}", slug=f"fault-{n}", live=False))
            page.save_revision().publish()
        results["ok"] += 1
    except Exception as exc:
        results["failed"] += 1
        results.setdefault("first_error", repr(exc))
        from django.db import connection
        connection.close()
    time.sleep(0.2)
print(json.dumps(results))
"""

CONSISTENCY = """
import json
from django_tenants.utils import schema_context
from cms.models import ArticlePage
from publishing.catalogue.models import CatalogueEntry
with schema_context("fault"):
    live = set(ArticlePage.objects.live().values_list("id", flat=True))
    drafts_marked_live = list(ArticlePage.objects.filter(live=True, live_revision__isnull=True).values_list("id", flat=True))
rows = set(CatalogueEntry.objects.filter(tenant__code="fault").values_list("page_id", flat=True))
print(json.dumps({"live": sorted(live), "rows": sorted(rows), "broken": drafts_marked_live}))
"""


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def own_postgres():
    import shutil
    import tempfile

    import pgserver
    from pgserver._commands import pg_ctl

    # Not under pytest's private temporary directory: the server runs as its own system user.
    (ROOT / "var").mkdir(exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix="faultdb-", dir=ROOT / "var"))
    base.chmod(0o755)
    pgdata = base / "pgdata"
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    info = server.get_postmaster_info()

    def control(action):
        if action == "stop":
            args = ["-w", "-m", "fast", "stop"]
        else:  # the same options pgserver starts it with: no TCP, a socket in its own directory
            args = ["-w", "-o", '-h ""', "-o", f"-k {info.socket_dir}", "-l", str(pgdata / "log"), "start"]
        pg_ctl(args, pgdata=pgdata, user=server.system_user)

    yield pgdata, info, control
    try:
        control("stop")
    except subprocess.CalledProcessError:
        pass  # already stopped
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def stack(own_postgres, tmp_path_factory):
    pgdata, info, control = own_postgres
    var = tmp_path_factory.mktemp("faultvar")
    subprocess.run([str(Path(PYTHON).parent / "python"), "-c", "pass"], check=True)
    # Every process reaches this server by its socket; none of them starts or stops it.
    database_url = f"postgres://postgres@{quote(str(info.socket_dir), safe='')}:{info.port}/cms"
    subprocess.run(
        [
            str(Path(PYTHON).parent / "python"),
            "-c",
            f"import psycopg; c = psycopg.connect(host={str(info.socket_dir)!r}, port={info.port}, user='postgres', "
            "dbname='postgres', autocommit=True); c.execute('CREATE DATABASE cms')",
        ],
        check=True,
    )
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url, CMS_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="cms.settings.dev")
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "setup_cluster"], env=env, check=True, cwd=ROOT, capture_output=True)
    subprocess.run(
        [*manage, "create_site", "--code", "fault", "--name", "故障演练局", "--domain", HOST, "--kind", "department"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    # gunicorn as in production: persistent connections, health-checked before reuse.
    port = _free_port()
    prod = dict(env)
    prod.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),  # production refuses known or short keys
        CMS_PERSONAL_DATA_KEYS=PERSONAL_DATA_KEY,
        ALLOWED_HOSTS=".localhost",
        CMS_CONN_MAX_AGE="60",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
        GUNICORN_LOG_LEVEL="warning",
    )
    gunicorn = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "-c", "gunicorn.conf.py", "cms.wsgi"],
        env=prod,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        if _get(port, "/healthz")[0] == 200:
            break
        time.sleep(0.2)
    yield {"port": port, "env": env, "manage": manage, "control": control, "gunicorn": gunicorn}
    gunicorn.terminate()
    gunicorn.wait(timeout=20)


def _get(port, path):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": HOST})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError as error:
        return 0, str(error)


def test_restart_under_load(stack):
    port, control = stack["port"], stack["control"]
    assert _get(port, "/")[0] == 200
    samples, stop = [], threading.Event()

    def load():
        n = 0
        while not stop.is_set():
            n += 1
            # A new query string each time: a cache miss, so every request needs the database.
            started = time.monotonic()
            status, body = _get(port, f"/zwdt/?n={n}")
            samples.append((started, time.monotonic(), status, body))
            time.sleep(0.02)

    threads = [threading.Thread(target=load) for _ in range(2)]
    publisher = subprocess.Popen(
        [*stack["manage"], "shell", "-c", PUBLISHER],
        env={**stack["env"], "PUBLISH_SECONDS": "14"},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in publisher.stdout:  # Django's shell may print its own lines first
        if line.strip() == "READY":
            break
    for thread in threads:
        thread.start()
    time.sleep(3)
    down_at = time.monotonic()
    control("stop")  # waits until the server is down
    stopped_at = time.monotonic()
    time.sleep(4)
    restart_at = time.monotonic()
    control("start")
    up_at = time.monotonic()
    time.sleep(6)
    stop.set()
    for thread in threads:
        thread.join()
    out, err = publisher.communicate(timeout=60)
    assert out.strip(), err[-2000:]
    published = json.loads(out.strip().splitlines()[-1])

    before = [s for _, end, s, _ in samples if end < down_at]
    during = [(s, b) for start, end, s, b in samples if start > stopped_at and end < restart_at]
    after = [s for start, _, s, _ in samples if start > up_at + 2]
    assert before and set(before) == {200}
    # During the outage: a clean 503 with a message, never a 500 or a hang.
    assert during, "no request fell into the outage"
    assert {s for s, _ in during} == {503}, {s for s, _ in during}
    assert all("服务暂时不可用" in b for _, b in during)
    # After it: served again by the same gunicorn, not restarted.
    assert after and set(after) == {200}
    assert stack["gunicorn"].poll() is None
    # Publishing went on where it could, and nothing is half-published.
    assert published["ok"] > 0 and published["failed"] > 0
    result = subprocess.run(
        [*stack["manage"], "shell", "-c", CONSISTENCY],
        env=stack["env"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    state = json.loads(result.stdout.strip().splitlines()[-1])
    assert state["live"] == state["rows"]
    assert state["broken"] == []
    assert len(state["live"]) >= published["ok"]
