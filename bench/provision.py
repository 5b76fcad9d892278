"""Seconds to provision one site: copying the template schema vs running every migration.

Prints the median of each and the ratio, measured in the same run on a database of its own.
With ``--sites N``, then provisions N more sites one after another behind a progress bar and prints
the throughput, and whether the last sites cost more than the first (a crowded catalogue).
    .venv/bin/python bench/provision.py [--copies 5] [--migrations 2]
    .venv/bin/python bench/provision.py --sites 1000      # the province run, dropped at the end
With ``--keep-db`` the sites go into the province database (bench_province: the portal and
departments b0000 …), kept for bench/site_cost.py, bench/province.py and bench/migrate.py --db;
a second run tops it up (an interrupted one resumes). The copy/migrate comparison is skipped
there (its schemas would be sites of the cluster). On a shared machine run it niced; the script
gives its PostgreSQL backend the same niceness:
    nice -n 10 .venv/bin/python bench/provision.py --sites 999 --keep-db   # 1,000 sites in all
Drop it with ``dropdb bench_province`` when done.
"""

import argparse
import statistics
import time

import _django
from _provision import (
    PROVINCE_DB,
    describe_throughput,
    load_average,
    lower_backend_priority,
    provision_sites,
    setup_kept,
)

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--copies", type=int, default=5)
parser.add_argument("--migrations", type=int, default=2)
parser.add_argument("--sites", type=int, default=0, help="then provision this many sites in a row")
parser.add_argument("--keep-db", action="store_true", help=f"provision into {PROVINCE_DB} (reused, kept)")
args = parser.parse_args()


if args.keep_db:
    connection, old_name, kept = setup_kept(PROVINCE_DB)
else:
    connection, kept = _django.setup("bench_provision"), False
    old_name = connection.settings_dict["NAME"]

from sites.bootstrap import bootstrap  # noqa: E402
from sites.models import Tenant  # noqa: E402
from sites.provisioning import SiteSpec, create_site, template_sql  # noqa: E402

try:
    if lower_backend_priority(connection):
        print("the PostgreSQL backend runs at this process's niceness", flush=True)
    print(f"load average at start: {load_average()}", flush=True)
    if kept:
        print(f"reusing {PROVINCE_DB}: bringing it up to date …", flush=True)
    else:
        print("setting up: migrating public and template schemas …", flush=True)
    bootstrap(step=lambda text: None, progress=False)
    if not Tenant.objects.filter(code="portal").exists():
        create_site(SiteSpec(code="portal", name="门户", kind="portal", domain="portal.bench.localhost"))
    template_sql()  # the first dump is a one-off per deploy; measure the steady state

    if not args.keep_db:
        copy_times = []
        for i in range(args.copies):
            start = time.perf_counter()
            create_site(SiteSpec(code=f"copy{i}", name=f"部门{i}", parent="portal", domain=f"copy{i}.bench.localhost"))
            copy_times.append(time.perf_counter() - start)

        migrate_times = []
        for i in range(args.migrations):
            start = time.perf_counter()
            tenant = Tenant(schema_name=f"migr{i}", code=f"migr{i}", name=f"迁移{i}")
            tenant.save()
            tenant.create_schema(check_if_exists=True, verbosity=0)
            migrate_times.append(time.perf_counter() - start)

        copy_median = statistics.median(copy_times)
        migrate_median = statistics.median(migrate_times)
        print(f"provision by copying the template (full site: schema, columns, roles, workflow), n={args.copies}:")
        print(f"  median {copy_median:.3f} s   min {min(copy_times):.3f}   max {max(copy_times):.3f}")
        print(f"create a schema by running migrations (schema only, no columns or roles), n={args.migrations}:")
        print(f"  median {migrate_median:.3f} s   min {min(migrate_times):.3f}   max {max(migrate_times):.3f}")
        print(f"ratio migrate / copy: {migrate_median / copy_median:.1f}x   (target: copy <= 1.5 s and >= 8x)")
    if args.sites:
        _codes, seconds = provision_sites(args.sites)
        for line in describe_throughput(seconds):
            print(line)
        print(f"load average at the end: {load_average()}")
finally:
    connection.set_schema_to_public()
    if args.keep_db:
        from django.conf import settings

        count = Tenant.objects.exclude(
            schema_name__in=[settings.PUBLIC_SCHEMA_NAME, settings.CMS_TEMPLATE_SCHEMA]
        ).count()
        print(f"kept database {PROVINCE_DB} with {count} sites (dropdb {PROVINCE_DB} when done)")
    else:
        _django.teardown(connection, old_name)
