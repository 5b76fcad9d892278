"""The cost of a site at rest, with N sites provisioned (create_site, behind a progress bar):

- provisioning throughput (seconds per site, first tenth against last tenth);
- disk per site schema (pg_total_relation_size of its tables, indexes and TOAST, summed) and
  catalogue rows per schema (pg_class), with the database's catalogue totals;
- one gunicorn worker (production settings; Redis with per-process copies when Redis answers):
  its resident memory after one site was served against after every site was served once
  (target <= 1.2x), its database connections, and the p95 of a cached page across every site
  against one site (target <= 1.15x), the two measured in interleaved blocks, with the worker's
  CPU time per request (less sensitive to the machine's other load than wall time), the p95
  ratio in each third of the run, and the load average.
On a database of its own, dropped at the end; with --keep-db on the province database that
bench/provision.py --keep-db made (topped up to --sites, kept).
    .venv/bin/python bench/site_cost.py [--sites 10] [--requests 200] [--rounds 10]
    .venv/bin/python bench/site_cost.py --sites 1000 --keep-db --requests 25 --rounds 240   # the province run
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
from _provision import PROVINCE_DB, describe_throughput, load_average, provision_sites, setup_kept

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--sites", type=int, default=10, help="sites in the cluster (the portal and N-1 departments)")
parser.add_argument("--requests", type=int, default=200, help="cached requests per block")
# Short blocks, many of them: the machine's load changes within seconds, both sides must see it.
parser.add_argument("--rounds", type=int, default=10, help="interleaved blocks of one site / every site")
parser.add_argument("--port", type=int, default=8360)
parser.add_argument(
    "--keep-db", action="store_true", help=f"use {PROVINCE_DB} (made by provision.py --keep-db), keep it"
)
args = parser.parse_args()

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DB_NAME = PROVINCE_DB if args.keep_db else "bench_site_cost"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_answers():
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        return True
    except Exception:
        return False


if args.keep_db:
    connection, old_name, kept = setup_kept(DB_NAME)
else:
    connection, kept = _django.setup(DB_NAME), False
    old_name = connection.settings_dict["NAME"]

from django.conf import settings  # noqa: E402

from sites.bootstrap import bootstrap  # noqa: E402
from sites.models import Tenant  # noqa: E402
from sites.provisioning import SiteSpec, create_site, template_sql  # noqa: E402


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def backend_private_kib(db_name):
    """Private memory (RssAnon) of the PostgreSQL backends connected to ``db_name`` other than ours:
    their caches of the relations they read (shared buffers are not counted). None when the server
    is not on this machine or its processes cannot be read."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, inet_server_addr() FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [db_name],
        )
        rows = cursor.fetchall()
    total = 0
    for pid, address in rows:
        if address is not None and str(address) not in ("127.0.0.1", "::1"):
            return None
        try:
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        except OSError:
            return None
        total += next((int(line.split()[1]) for line in lines if line.startswith("RssAnon:")), 0)
    return total


def cpu_seconds(pid):
    """User + system CPU seconds the process has used (/proc/PID/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_url():
    from urllib.parse import quote

    db = settings.DATABASES["default"]
    host = quote(db.get("HOST") or "127.0.0.1", safe="")  # a socket directory is a path
    return f"postgres://{db.get('USER') or 'postgres'}@{host}:{db.get('PORT') or 5432}/{DB_NAME}"


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


def shared_table_costs(count=4, tries=5):
    """The public tables every site's tables point at with a foreign key: each such key puts two
    triggers on the public table, which every new connection loads on its first read of it.
    Returns ``[(table, triggers, first-read ms median)]`` for the ``count`` tables with the most
    triggers, and the same for ``django_migrations`` (no site refers to it) as the baseline."""
    import psycopg

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, count(t.oid) FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
               LEFT JOIN pg_trigger t ON t.tgrelid = c.oid
               WHERE c.relkind = 'r' GROUP BY c.relname ORDER BY count(t.oid) DESC, c.relname LIMIT %s""",
            [count],
        )
        tables = cursor.fetchall()
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.django_migrations'::regclass")
        tables.append(("django_migrations", cursor.fetchone()[0]))
    rows = []
    for table, triggers in tables:
        times = []
        for _ in range(tries):
            with psycopg.connect(database_url()) as pg:  # the worker's own address
                pg.execute("SELECT 1")  # the connection's own start-up, not timed
                start = time.perf_counter()
                pg.execute(f'SELECT 1 FROM public."{table}" LIMIT 1')  # noqa: S608 -- a catalogue name
                times.append((time.perf_counter() - start) * 1000)
        rows.append((table, triggers, statistics.median(times)))
    return rows


def connections_to(db_name):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [db_name]
        )
        return cursor.fetchone()[0]


work = Path(tempfile.mkdtemp(prefix="bench-site-cost-"))
server = None
try:
    if kept:
        print(f"reusing {DB_NAME}, topped up to {args.sites} sites …", flush=True)
    else:
        print(f"setting up: migrating public and template schemas, then {args.sites} sites …", flush=True)
    bootstrap(step=lambda text: None, progress=False)
    if not Tenant.objects.filter(code="portal").exists():
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

    print("  public tables the site schemas refer to (foreign keys), first read in a new connection:")
    for table, triggers, ms in shared_table_costs():
        print(f"    {table:<22} {triggers:>6} triggers   {ms:7.2f} ms")

    # --- One worker, as production runs it ------------------------------------------------------
    shared_cache = redis_answers()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        DATABASE_URL=database_url(),
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
    backends_one = backend_private_kib(DB_NAME)

    from tqdm import tqdm

    started = time.perf_counter()
    for host in tqdm(hosts, desc="每站访问一次", unit="站"):
        client.get(host)  # the first visit renders and fills the cache
    first_visits = time.perf_counter() - started
    for host in hosts:
        client.get(host)  # the second is a hit
    rss_all = rss_kib(worker)
    connections_all = connections_to(DB_NAME)
    backends_all = backend_private_kib(DB_NAME)

    times = {"one": [], "all": []}
    cpu = {"one": 0.0, "all": 0.0}
    by_round = []  # (round, block, seconds): the p95 ratio per third of the run
    loads = [os.getloadavg()[0]]
    slow_hosts = {}
    misses = 0
    position = 0  # the "all" blocks walk every site in a scrambled order, block after block
    for round_ in tqdm(range(args.rounds), desc="交错测量", unit="轮"):
        for block in ("one", "all") if round_ % 2 == 0 else ("all", "one"):
            cpu_before = cpu_seconds(worker)
            for _ in range(args.requests):
                if block == "one":
                    host = one_host
                else:
                    host = hosts[(position * 7919) % len(hosts)]
                    position += 1
                seconds, hit = client.get(host)
                misses += not hit
                times[block].append(seconds)
                by_round.append((round_, block, seconds))
                if block == "all" and seconds > 0.002:
                    slow_hosts[host] = slow_hosts.get(host, 0) + 1
            cpu[block] += cpu_seconds(worker) - cpu_before
        if round_ % 20 == 0:
            loads.append(os.getloadavg()[0])
    loads.append(os.getloadavg()[0])
    rss_end = rss_kib(worker)

    print(
        f"\none gunicorn worker (2 threads), {'Redis + per-process copies' if shared_cache else 'local memory cache'}:"
    )
    print(f"  first visit of each of {len(hosts)} sites (render + fill the cache): {first_visits:.1f} s")
    print(f"  RSS after one site served:           {rss_one / 1024:7.1f} MiB")
    print(
        f"  RSS after each of {len(hosts)} sites served: {rss_all / 1024:7.1f} MiB   (after the p95 blocks {rss_end / 1024:.1f})"
    )
    print(f"  ratio: {rss_all / rss_one:.2f}x   (target <= 1.2x)")
    print(f"  database connections held by the worker: {connections_one} after one site, {connections_all} after all")
    if backends_one is not None and backends_all is not None:
        print(
            f"  their PostgreSQL backends' private memory: {backends_one / 1024:.1f} MiB after one site,"
            f" {backends_all / 1024:.1f} MiB after all (CMS_CONN_MAX_AGE=60 renews a connection after 60 s)"
        )
    p95_one, p95_all = p95(times["one"]), p95(times["all"])
    print(f"cached page, {len(times['one'])} requests each, interleaved ({misses} not answered from the cache):")
    print(f"  one site:        p50 {statistics.median(times['one']) * 1000:6.2f} ms   p95 {p95_one * 1000:6.2f} ms")
    print(
        f"  across {len(hosts):>4} sites: p50 {statistics.median(times['all']) * 1000:6.2f} ms   p95 {p95_all * 1000:6.2f} ms"
    )
    print(f"  ratio p95 all / one: {p95_all / p95_one:.2f}x   (target <= 1.15x)")
    thirds = []
    for part in range(3):
        window = range(part * args.rounds // 3, (part + 1) * args.rounds // 3)
        one = [s for r, b, s in by_round if r in window and b == "one"]
        every = [s for r, b, s in by_round if r in window and b == "all"]
        if one and every:
            thirds.append(f"{p95(every) / p95(one):.2f}x")
    print(f"  ratio p95 all / one in each third of the run: {', '.join(thirds)}")
    per_request = {block: cpu[block] / len(times[block]) * 1000 for block in cpu}
    print(
        f"  worker CPU per request: one site {per_request['one']:.3f} ms, across {len(hosts)} sites"
        f" {per_request['all']:.3f} ms ({per_request['all'] / per_request['one']:.2f}x)"
    )
    print(
        f"  load average (1 min) during the blocks: min {min(loads):.2f}, median {statistics.median(loads):.2f},"
        f" max {max(loads):.2f}; now {load_average()}"
    )
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
    if args.keep_db:
        print(f"kept database {DB_NAME} (dropdb {DB_NAME} when done)")
    else:
        _django.teardown(connection, old_name)
