"""Supervision and static output at province scale: ``supervise`` and a full ``export_static``
over every site of the cluster, against the same work on 1 site and on a few sites (30 by default)
measured in the same run, interleaved (supervise: ``--repeat`` rounds, the order alternating).

Printed for each: seconds, ms (or s) per site, and for the export pages, files and bytes written;
the load average with every figure (the machine is shared). ``supervise`` runs with --no-alarms
(a measurement raises no alarms and sends no mail); today's results are saved, as the nightly
run saves them. The export writes into a temporary directory, removed at the end.

    .venv/bin/python bench/province.py                       # 5 sites of its own (make bench)
    .venv/bin/python bench/province.py --keep-db --sites 1000 --repeat 3   # the province run
With --keep-db it runs on the province database (bench_province) that
``bench/provision.py --sites 999 --keep-db`` made, topped up to --sites and kept.
"""

import argparse
import os
import shutil
import statistics
import tempfile
import time
from io import StringIO
from pathlib import Path

import _django
from _provision import PROVINCE_DB, load_average, provision_sites, setup_kept

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--sites", type=int, default=5, help="sites in the cluster (the portal and N-1 departments)")
parser.add_argument("--few", type=int, default=30, help="the middle baseline: this many sites")
parser.add_argument("--repeat", type=int, default=1, help="interleaved rounds of the supervise measurements")
parser.add_argument("--no-export", action="store_true", help="supervise only")
parser.add_argument(
    "--keep-db", action="store_true", help=f"use {PROVINCE_DB} (made by provision.py --keep-db), keep it"
)
args = parser.parse_args()

if args.keep_db:
    connection, old_name, kept = setup_kept(PROVINCE_DB)
else:
    connection, kept = _django.setup("bench_province_small"), False
    old_name = connection.settings_dict["NAME"]

from django.core.management import call_command  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from publishing.catalogue.static_output import export_site  # noqa: E402
from sites.bootstrap import bootstrap  # noqa: E402
from sites.models import Tenant  # noqa: E402
from sites.provisioning import SiteSpec, create_site  # noqa: E402
from supervision.checks import services  # noqa: E402


def timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def disk(directory):
    files = [path for path in Path(directory).rglob("*") if path.is_file() and not path.name.startswith(".")]
    return len(files), sum(path.stat().st_size for path in files)


work = Path(tempfile.mkdtemp(prefix="bench-province-"))
try:
    print(f"load average at start: {load_average()}", flush=True)
    bootstrap(step=lambda text: None, progress=False)
    if not Tenant.objects.filter(code="portal").exists():
        create_site(SiteSpec(code="portal", name="门户", kind="portal", domain="portal.bench.localhost"))
    provision_sites(args.sites - 1)
    connection.set_schema_to_public()
    serving = list(services.sites())
    count = len(serving)
    few = min(args.few, count)
    one_code = serving[0].code
    few_ids = [tenant.pk for tenant in serving[:few]]
    print(f"{count} serving sites ({'reused ' + PROVINCE_DB if kept else 'made in this run'})", flush=True)

    # --- supervise -----------------------------------------------------------------------
    def supervise_one():
        call_command("supervise", "--site", one_code, "--json", "--no-alarms", stdout=StringIO())

    def supervise_few():
        services.run(among=Tenant.objects.filter(pk__in=few_ids), alarms=False)

    def supervise_all():
        call_command("supervise", "--json", "--no-alarms", stdout=StringIO())

    cases = {
        "1 site": (supervise_one, 1),
        f"{few} sites": (supervise_few, few),
        f"{count} sites": (supervise_all, count),
    }
    seconds = {name: [] for name in cases}
    loads = {name: [] for name in cases}
    for round_ in range(args.repeat):
        for name in list(cases) if round_ % 2 == 0 else list(reversed(cases)):
            seconds[name].append(timed(cases[name][0]))
            loads[name].append(os.getloadavg()[0])
    print(f"\nsupervise --no-alarms, median of {args.repeat} interleaved rounds:")
    for name, (_function, sites) in cases.items():
        median = statistics.median(seconds[name])
        print(
            f"  {name:>11}: {median:8.2f} s   {median / sites * 1000:6.1f} ms per site"
            f"   (rounds {', '.join(f'{s:.2f}' for s in seconds[name])} s; load {', '.join(f'{x:.2f}' for x in loads[name])})"
        )
    per_site_all = statistics.median(seconds[f"{count} sites"]) / count
    print(f"  projected to 300 sites: {per_site_all * 300:.1f} s (issue 13's target <= 10 s)")

    # --- export_static -------------------------------------------------------------------
    if not args.no_export:
        print("\nexport_static into an empty directory each time:", flush=True)
        rows = []
        for name, run, sites in (
            ("1 site", lambda: call_command("export_static", "--site", one_code, verbosity=0, stdout=StringIO()), 1),
            (f"{few} sites", lambda: [export_site(tenant) for tenant in serving[:few]], few),
            (f"{count} sites", lambda: call_command("export_static", stdout=StringIO()), count),
        ):
            target = work / name.replace(" ", "-")
            with override_settings(CMS_STATIC_OUTPUT_DIR=str(target)):
                elapsed = timed(run)
            files, size = disk(target)
            rows.append((name, sites, elapsed, files, size, load_average()))
            shutil.rmtree(target, ignore_errors=True)
        for name, sites, elapsed, files, size, load in rows:
            print(
                f"  {name:>11}: {elapsed:8.1f} s   {elapsed / sites:6.2f} s per site   {files} files,"
                f" {size / 1024**2:.1f} MiB ({files / elapsed:.0f} files/s)   load {load}"
            )
        _name, sites, elapsed, *_rest = rows[-1]
        print(f"  projected to 1,000 sites: {elapsed / sites * 1000 / 60:.1f} min")
    print(f"load average at the end: {load_average()}")
finally:
    shutil.rmtree(work, ignore_errors=True)
    connection.set_schema_to_public()
    if args.keep_db:
        print(f"kept database {PROVINCE_DB} (dropdb {PROVINCE_DB} when done)")
    else:
        _django.teardown(connection, old_name)
