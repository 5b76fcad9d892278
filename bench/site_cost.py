"""The cost of a site at rest, with N sites provisioned (create_site, behind a progress bar):

- provisioning throughput (seconds per site, first tenth against last tenth);
- disk per site schema (pg_total_relation_size of its tables, indexes and TOAST, summed) and
  catalogue rows per schema (pg_class), with the database's catalogue totals;
- one gunicorn worker (production settings; Redis with per-process copies when Redis answers):
  its resident memory after one site was served against after every site was served once
  (target <= 1.2x), its database connections, and the p95 of a cached page across every site
  against one site (target <= 1.15x), the two measured in interleaved blocks.
On a database of its own, dropped at the end.
    .venv/bin/python bench/site_cost.py [--sites 10] [--requests 200] [--rounds 10]
    .venv/bin/python bench/site_cost.py --sites 1000              # the province run
"""

import argparse
import base64
import http.client
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _django
from _provision import describe_throughput, provision_sites

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--sites", type=int, default=10, help="sites in the cluster (the portal and N-1 departments)")
parser.add_argument("--requests", type=int, default=200, help="cached requests per block")
# Short blocks, many of them: the machine's load changes within seconds, both sides must see it.
parser.add_argument("--rounds", type=int, default=10, help="interleaved blocks of one site / every site")
parser.add_argument("--port", type=int, default=8360)
args = parser.parse_args()

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DB_NAME = "bench_migrate_cost"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_answers():
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        return True
    except Exception:
        return False


connection = _django.setup(DB_NAME)
old_name = connection.settings_dict["NAME"]

from django.conf import settings  # noqa: E402

from sites.bootstrap import bootstrap  # noqa: E402
from sites.provisioning import SiteSpec, create_site, template_sql  # noqa: E402


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def worker_pid(master):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.2)
    raise RuntimeError("gunicorn started no worker")


class Client:
    def __init__(self, port):
        self.port = port
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, host, path="/"):
        """Seconds for one GET, and whether the page cache answered."""
        start = time.perf_counter()
        try:
            self.http.request("GET", path, headers={"Host": host})
            response = self.http.getresponse()
        except (http.client.HTTPException, ConnectionError):
            self.http.close()
            self.http = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.http.request("GET", path, headers={"Host": host})
            response = self.http.getresponse()
        self.body = response.read()
        self.headers = response.getheaders()
        seconds = time.perf_counter() - start
        if response.status != 200:
            raise RuntimeError(f"{host}{path} answered {response.status}")
        return seconds, response.getheader("X-Cache") == "HIT"


def p95(values):
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))]


def schema_costs(schemas):
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT n.nspname, count(*),
                      coalesce(sum(pg_total_relation_size(c.oid)) FILTER (WHERE c.relkind IN ('r', 'm', 'p')), 0)
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = ANY(%s) GROUP BY n.nspname""",
            [schemas],
        )
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT (SELECT count(*) FROM pg_class), (SELECT count(*) FROM pg_attribute),"
            " pg_total_relation_size('pg_class') + pg_total_relation_size('pg_attribute')"
            " + pg_total_relation_size('pg_depend') + pg_total_relation_size('pg_index')"
            " + pg_total_relation_size('pg_constraint') + pg_total_relation_size('pg_type'),"
            " pg_database_size(current_database())"
        )
        totals = cursor.fetchone()
    return rows, totals


def connections_to(db_name):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [db_name]
        )
        return cursor.fetchone()[0]


work = Path(tempfile.mkdtemp(prefix="bench-site-cost-"))
server = None
try:
    print(f"setting up: migrating public and template schemas, then {args.sites} sites …", flush=True)
    bootstrap(step=lambda text: None, progress=False)
    create_site(SiteSpec(code="portal", name="门户", kind="portal", domain="portal.bench.localhost"))
    template_sql()
    codes, seconds = provision_sites(args.sites - 1)
    codes = ["portal", *codes]
    for line in describe_throughput(seconds):
        print(line)

    rows, (pg_class_rows, pg_attribute_rows, catalogue_bytes, database_bytes) = schema_costs(codes)
    sizes = [row[2] for row in rows]
    relations = [row[1] for row in rows]
    print(f"\ncost of a site at rest ({len(rows)} site schemas):")
    print(
        f"  disk per schema: median {statistics.median(sizes) / 1024**2:.2f} MiB"
        f"   (all schemas {sum(sizes) / 1024**2:.0f} MiB; database {database_bytes / 1024**2:.0f} MiB)"
    )
    print(f"  pg_class rows per schema: {statistics.median(relations):.0f} (tables, indexes, sequences, TOAST)")
    print(
        f"  catalogue: {pg_class_rows} pg_class rows, {pg_attribute_rows} pg_attribute rows,"
        f" {catalogue_bytes / 1024**2:.0f} MiB in pg_class/attribute/depend/index/constraint/type"
    )

    # --- One worker, as production runs it ------------------------------------------------------
    shared_cache = redis_answers()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        DATABASE_URL=f"postgres://{settings.DATABASES['default'].get('USER') or 'postgres'}@"
        f"{settings.DATABASES['default'].get('HOST') or '127.0.0.1'}:{settings.DATABASES['default'].get('PORT') or 5432}/{DB_NAME}",
        CMS_CONN_MAX_AGE="60",
        SECRET_KEY=secrets.token_urlsafe(50),
        CMS_PERSONAL_DATA_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        ALLOWED_HOSTS=".bench.localhost,127.0.0.1",
        CMS_CLUSTER_HOST=settings.CMS_CLUSTER_HOST,
        CMS_MEDIA_ROOT=str(work / "media"),
        CMS_PAGE_CACHE_SECONDS="86400",
        CMS_CACHE_KEY_PREFIX=f"bench-site-cost-{os.getpid()}",
        GUNICORN_WORKERS="1",
        GUNICORN_BIND=f"127.0.0.1:{args.port}",
        GUNICORN_LOG_LEVEL="warning",
    )
    env.pop("CMS_TEST_DB", None)
    if shared_cache:
        env["REDIS_URL"] = REDIS_URL
    else:
        env.pop("REDIS_URL", None)
    log = open(work / "gunicorn.log", "w")  # noqa: SIM115 -- open for the server's life
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "cms.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    worker = worker_pid(server.pid)
    client = Client(args.port)
    deadline = time.monotonic() + 120
    while True:
        try:
            client.get("portal.bench.localhost")
            break
        except (OSError, RuntimeError):
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError((work / "gunicorn.log").read_text()[-2000:]) from None
            time.sleep(0.5)
            client = Client(args.port)

    one_host = "portal.bench.localhost"
    hosts = [f"{code}.bench.localhost" for code in codes]
    if not client.get(one_host)[1]:
        print("warning: a second visit was not a cache hit:", client.headers, client.body[:1500], flush=True)
    for _ in range(args.requests):
        client.get(one_host)
    rss_one = rss_kib(worker)
    connections_one = connections_to(DB_NAME)

    from tqdm import tqdm

    for host in tqdm(hosts, desc="每站访问一次", unit="站"):
        client.get(host)  # the first visit renders and fills the cache
    for host in hosts:
        client.get(host)  # the second is a hit
    rss_all = rss_kib(worker)
    connections_all = connections_to(DB_NAME)

    times = {"one": [], "all": []}
    slow_hosts = {}
    misses = 0
    for round_ in range(args.rounds):
        for block in ("one", "all") if round_ % 2 == 0 else ("all", "one"):
            for index in range(args.requests):
                host = one_host if block == "one" else hosts[(index * 7919) % len(hosts)]
                seconds, hit = client.get(host)
                misses += not hit
                times[block].append(seconds)
                if block == "all" and seconds > 0.002:
                    slow_hosts[host] = slow_hosts.get(host, 0) + 1
    rss_end = rss_kib(worker)

    print(
        f"\none gunicorn worker (2 threads), {'Redis + per-process copies' if shared_cache else 'local memory cache'}:"
    )
    print(f"  RSS after one site served:           {rss_one / 1024:7.1f} MiB")
    print(
        f"  RSS after each of {len(hosts)} sites served: {rss_all / 1024:7.1f} MiB   (after the p95 blocks {rss_end / 1024:.1f})"
    )
    print(f"  ratio: {rss_all / rss_one:.2f}x   (target <= 1.2x)")
    print(f"  database connections held by the worker: {connections_one} after one site, {connections_all} after all")
    p95_one, p95_all = p95(times["one"]), p95(times["all"])
    print(f"cached page, {len(times['one'])} requests each, interleaved ({misses} not answered from the cache):")
    print(f"  one site:        p50 {statistics.median(times['one']) * 1000:6.2f} ms   p95 {p95_one * 1000:6.2f} ms")
    print(
        f"  across {len(hosts):>4} sites: p50 {statistics.median(times['all']) * 1000:6.2f} ms   p95 {p95_all * 1000:6.2f} ms"
    )
    print(f"  ratio p95 all / one: {p95_all / p95_one:.2f}x   (target <= 1.15x)")
    for block, values in times.items():
        ordered = sorted(values)
        over = sum(value > 0.002 for value in values)
        print(
            f"  {block}: p90 {ordered[int(0.9 * (len(ordered) - 1))] * 1000:.2f} ms, p99 {ordered[int(0.99 * (len(ordered) - 1))] * 1000:.2f} ms, {over} over 2 ms"
        )
    print("  slowest hosts (requests over 2 ms):", sorted(slow_hosts.items(), key=lambda item: -item[1])[:5])
finally:
    if server is not None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    connection.set_schema_to_public()
    from django.db import connections as all_connections

    all_connections.close_all()
    _django.teardown(connection, old_name)
