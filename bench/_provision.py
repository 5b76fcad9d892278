"""Shared by the bench scripts that make many sites the way create_site makes one, and by those that
reuse a database of many sites kept from an earlier run (``--keep-db``)."""

import os
import statistics
import time

# The province database: bench/provision.py --sites 999 --keep-db makes it (the portal and 999
# departments), bench/site_cost.py, bench/province.py and bench/migrate.py --db reuse it.
PROVINCE_DB = "bench_province"


def database_exists(connection, name):
    """Whether ``name`` exists on the server Django's default connection points at (the embedded
    one when DATABASE_URL is unset): asked from the maintenance database, not from ``name``."""
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname="postgres",
    ) as pg:
        return pg.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def setup_kept(db_name, create=True):
    """Django on ``db_name``: the database as an earlier run left it if it exists (returns
    ``(connection, old_name, True)``), else a fresh empty one (``(…, False)``; with ``create=False``
    none is made and SystemExit says so). Never dropped here."""
    os.environ["CMS_TEST_DB"] = db_name
    import _django  # noqa: F401 -- the path and settings module
    import django

    django.setup()
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    if database_exists(connection, db_name):
        connection.close()
        connection.settings_dict["NAME"] = db_name
        return connection, old_name, True
    if not create:
        raise SystemExit(f"no database {db_name}: make it first (bench/provision.py --sites 999 --keep-db)")
    connection.creation.create_test_db(verbosity=0, autoclobber=False, keepdb=True)
    return connection, old_name, False


def lower_backend_priority(connection, niceness=0):
    """Give this connection's PostgreSQL backend the niceness of this process (at least ``niceness``):
    a long provisioning run on a shared machine then yields to interactive work, in the server too.
    Only when the server is on this machine and we may (root, or the same user)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), inet_server_addr()")
        pid, address = cursor.fetchone()
    if address is not None and str(address) not in ("127.0.0.1", "::1"):
        return False
    try:
        os.setpriority(os.PRIO_PROCESS, pid, max(niceness, os.getpriority(os.PRIO_PROCESS, 0)))
    except OSError:
        return False
    return True


def provision_sites(count, *, parent="portal", prefix="b"):
    """``count`` department sites under ``parent`` with create_site, behind a progress bar.

    Sites ``{prefix}0000`` … that exist already (a kept database) are skipped, so an interrupted
    run resumes. Returns ``(codes, seconds per site provisioned in this run)``. The first site pays
    for the template's dump; the others reuse it, as every site after the first of a deploy does.
    """
    from tqdm import tqdm

    from sites.models import Tenant
    from sites.provisioning import SiteSpec, create_site

    codes = [f"{prefix}{index:04d}" for index in range(count)]
    have = set(Tenant.objects.filter(code__in=codes).values_list("code", flat=True))
    seconds = []
    todo = [(index, code) for index, code in enumerate(codes) if code not in have]
    bar = tqdm(todo, desc="开设站点", unit="站", initial=len(have), total=count)
    for index, code in bar:
        from django.db import connection

        if index % 20 == 0:
            bar.set_postfix_str(f"load {load_average()}", refresh=False)
        start = time.perf_counter()
        # create_site closes its connection when done (sites/provisioning.py): each site is built by
        # a new backend (its connection timed with the site), given this process's niceness first.
        lower_backend_priority(connection)
        create_site(SiteSpec(code=code, name=f"测试部门{index}", parent=parent, domain=f"{code}.bench.localhost"))
        seconds.append(time.perf_counter() - start)
    return codes, seconds


def describe_throughput(seconds):
    """Lines on provisioning speed: total, per site, and whether the last sites cost more than the first."""
    count = len(seconds)
    if not count:
        return ["provisioned no sites in this run (all there already)"]
    ordered = sorted(seconds)
    tenth = max(1, count // 10)
    first, last = statistics.median(seconds[:tenth]), statistics.median(seconds[-tenth:])
    return [
        f"provisioned {count} sites in {sum(seconds):.1f} s ({count / sum(seconds):.2f} sites/s, "
        f"{sum(seconds) / count * 1000 / 60:.1f} min per 1,000)",
        f"  per site: median {statistics.median(seconds):.3f} s   p95 {ordered[int(0.95 * (count - 1))]:.3f} s"
        f"   max {ordered[-1]:.3f} s",
        f"  first {tenth} sites median {first:.3f} s, last {tenth} median {last:.3f} s"
        f"   (ratio last / first {last / first:.2f}x: does a crowded database slow provisioning?)",
    ]


def load_average():
    """'1.23 1.10 0.98': the machine's load when a figure was taken, printed with it."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())
