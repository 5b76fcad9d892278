"""Deploying a migration to every site: django-tenants' ``migrate_schemas --tenant`` vs ``deploy_sites``.

On N freshly provisioned site schemas (plus the template), in one run and interleaved:
  (a) nothing to migrate;
  (b) one AddField with an index, from a throw-away app made in a temporary folder for this run
      (never a real app's migration); after each method the column and its record are removed
      again so the other starts from the same state.
Prints seconds, ms per schema and the ratio. On a database of its own (dropped at the end).
    .venv/bin/python bench/migrate.py [--schemas 100] [--rounds 1]
    .venv/bin/python bench/migrate.py --schemas 1000 --rounds 1 --keep-db   # the province run
With --keep-db the database (and its schemas) stays for the next run, which only tops it up:
copying 1,000 schemas takes 15-60 minutes on a busy two-core machine. Drop it with
``dropdb bench_migrate`` when done.
With --db NAME every site schema of an existing database is migrated instead (the province
database of bench/provision.py --keep-db: 1,000 real sites, not bare copies); the probe's table
and records are removed from every schema at the end, so the database is left as it was:
    .venv/bin/python bench/migrate.py --db bench_province --rounds 2 --baseline-sample 50
With --compare FILE a second copy of sites/deploy.py (say the previous commit's, ``git show
HEAD~1:sites/deploy.py > /tmp/deploy_before.py``) is timed too, interleaved with the other two.
The load average is printed with every figure.
"""

import argparse
import importlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument(
    "--schemas",
    type=int,
    default=30,
    help="site schemas (make bench keeps this small; the issue's runs are --schemas 100 and 1000)",
)
parser.add_argument("--rounds", type=int, default=1, help="interleaved repetitions of each measurement")
parser.add_argument("--keep-db", action="store_true", help="reuse bench_migrate if it exists, and keep it")
parser.add_argument("--db", help="migrate every site schema of this existing database (kept, probe removed)")
parser.add_argument("--compare", help="also time this copy of sites/deploy.py (e.g. the previous commit's)")
parser.add_argument(
    "--baseline-sample",
    type=int,
    default=0,
    help="time migrate_schemas on this many schemas (one --schema at a time) and scale to all; 0: all of them",
)
args = parser.parse_args()

# --- A throw-away site app, in a temporary folder: 0001 is there from the start, 0002 is the deploy.
work = Path(tempfile.mkdtemp(prefix="bench-migrate-"))
(work / "benchprobe" / "migrations").mkdir(parents=True)
(work / "benchprobe" / "__init__.py").write_text("")
(work / "benchprobe" / "migrations" / "__init__.py").write_text("")
(work / "benchprobe" / "migrations" / "0001_initial.py").write_text(
    """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Probe",
            fields=[("id", models.BigAutoField(primary_key=True)), ("title", models.CharField(max_length=50))],
        )
    ]
"""
)
ADD_FIELD = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("benchprobe", "0001_initial")]
    operations = [
        migrations.AddField("probe", "code", models.CharField(max_length=20, default="", db_index=True)),
    ]
"""
(work / "bench_migrate_settings.py").write_text(
    "from cms.settings.test import *  # noqa\n"
    "INSTALLED_APPS = INSTALLED_APPS + ['benchprobe']\n"
    "TENANT_APPS = TENANT_APPS + ['benchprobe']\n"
)
sys.path.insert(0, str(work))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench_migrate_settings"

import _django  # noqa: E402
from _provision import load_average, setup_kept  # noqa: E402

DB_NAME = args.db or "bench_migrate"

if args.db or args.keep_db:
    connection, old_name, kept = setup_kept(DB_NAME, create=not args.db)
else:
    connection = _django.setup(DB_NAME)
    old_name = connection.settings_dict["NAME"]
    kept = False

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from tqdm import tqdm  # noqa: E402

from sites.bootstrap import bootstrap  # noqa: E402
from sites.deploy import deploy_sites, site_schemas  # noqa: E402
from sites.models import Tenant  # noqa: E402
from sites.provisioning import load_schema_sql, rename_schema_sql, template_schema, template_sql  # noqa: E402


def provision_schemas(count):
    """Copies of the template with their tenant rows: the schemas a deploy migrates (the sites'
    content, made by create_site, changes nothing a migration reads)."""
    sql = template_sql()
    have = Tenant.objects.filter(code__regex=r"^s[0-9]{4}$").count()
    for i in tqdm(range(have, count), desc="复制站点模式", unit="站", initial=have, total=count):
        code = f"s{i:04d}"
        with transaction.atomic():
            load_schema_sql(rename_schema_sql(sql, template_schema(), code))
            Tenant.objects.create(schema_name=code, code=code, name=f"站点{i}")
        connection.set_schema_to_public()


def migrate_schemas():
    if args.baseline_sample:
        # The same per-schema work as the full command (django-tenants runs migrate once per schema).
        for schema in schemas[: args.baseline_sample]:
            call_command("migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=0)
    else:
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)


def deploy():
    deploy_sites(progress=False, verbosity=0)


def compared_deploy():
    """The other copy of sites/deploy.py, loaded as a module of the sites package (its relative
    imports resolve there), so it runs against the same models and connection."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("sites._bench_compared_deploy", args.compare)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)

    def run():
        module.deploy_sites(progress=False, verbosity=0)

    return run


def remove_probe(schemas):
    """The throw-away app gone from every schema (a database of real sites is left as it was)."""
    with connection.cursor() as cursor:
        for schema in tqdm(schemas, desc="移除 benchprobe", unit="站"):
            cursor.execute(
                f'DROP TABLE IF EXISTS "{schema}".benchprobe_probe;'  # noqa: S608
                f"DELETE FROM \"{schema}\".django_migrations WHERE app = 'benchprobe'"
            )


def undo_add_field(schemas):
    """Back to before 0002, in every schema, so the next method does the same work."""
    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(
                f'ALTER TABLE IF EXISTS "{schema}".benchprobe_probe DROP COLUMN IF EXISTS code;'  # noqa: S608
                f"DELETE FROM \"{schema}\".django_migrations WHERE app = 'benchprobe' AND name = '0002_code'"
            )


def timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def applied_everywhere(schemas):
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT count(*) FROM \"{s}\".django_migrations WHERE app = 'benchprobe' AND name = '0002_code'"  # noqa: S608
                for s in schemas
            )
        )
        return all(row[0] == 1 for row in cursor.fetchall())


try:
    if kept:
        print(f"reusing {DB_NAME}", flush=True)
        undo_add_field(site_schemas())  # a run stopped during (b) left some schemas after 0002
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    else:
        print("setting up: migrating public and template schemas …", flush=True)
        bootstrap(step=lambda text: None)
    if args.db:
        schemas = site_schemas()  # every site of that database, the template first
    else:
        provision_schemas(args.schemas)
        schemas = [settings.CMS_TEMPLATE_SCHEMA] + [f"s{i:04d}" for i in range(args.schemas)]
        assert set(schemas) <= set(site_schemas())
        # The deploy and migrate_schemas both take every tenant: extra schemas of a kept database go.
        extra = list(Tenant.objects.filter(code__regex=r"^s[0-9]{4}$").exclude(schema_name__in=schemas))
        for tenant in tqdm(extra, desc="删除多余站点模式", unit="站"):
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA "{tenant.schema_name}" CASCADE')
            Tenant.objects.filter(pk=tenant.pk).delete()
    count = len(schemas)
    deploy_sites(progress=True)  # a kept database may predate migrations added since: (a) starts at nothing to do
    methods = {"migrate_schemas --tenant": migrate_schemas, "deploy_sites": deploy}
    if args.compare:
        methods[f"deploy_sites ({Path(args.compare).name})"] = compared_deploy()
    results = {("a", name): [] for name in methods} | {("b", name): [] for name in methods}

    sample = args.baseline_sample
    scale = {name: 1 for name in methods} | {"migrate_schemas --tenant": count / sample if sample else 1}
    loads = {key: [] for key in results}
    for round_ in range(args.rounds):
        order = list(methods) if round_ % 2 == 0 else list(reversed(methods))
        for name in order:
            results[("a", name)].append(timed(methods[name]) * scale[name])
            loads[("a", name)].append(os.getloadavg()[0])
    (work / "benchprobe" / "migrations" / "0002_code.py").write_text(ADD_FIELD)
    importlib.invalidate_caches()
    for round_ in range(args.rounds):
        order = list(methods) if round_ % 2 == 0 else list(reversed(methods))
        for name in order:
            results[("b", name)].append(timed(methods[name]) * scale[name])
            loads[("b", name)].append(os.getloadavg()[0])
            reached = (
                schemas[: args.baseline_sample] if args.baseline_sample and name.startswith("migrate") else schemas
            )
            assert applied_everywhere(reached), f"{name} did not reach every schema"
            undo_add_field(schemas)

    sites = f"{count - 1} sites of {DB_NAME}" if args.db else f"{args.schemas} sites"
    print(f"\n{count} schemas ({sites} + the template), median of {args.rounds} interleaved rounds:")
    if sample:
        print(f"  (migrate_schemas timed on {sample} of them, one --schema at a time, and scaled to {count})")
    for case, title in (("a", "(a) nothing to migrate"), ("b", "(b) one AddField with an index")):
        print(title)
        medians = {name: statistics.median(results[(case, name)]) for name in methods}
        for name, seconds in medians.items():
            rounds = ", ".join(f"{value:.2f}" for value in results[(case, name)])
            load = ", ".join(f"{value:.2f}" for value in loads[(case, name)])
            print(
                f"  {name:<26} {seconds:8.2f} s   {1000 * seconds / count:7.1f} ms per schema"
                f"   (rounds {rounds} s; load {load})"
            )
        baseline, ours = medians["migrate_schemas --tenant"], medians["deploy_sites"]
        print(f"  ratio migrate_schemas / deploy_sites: {baseline / ours:.1f}x   (target >= 10x, <= 20 ms per schema)")
        if args.compare:
            other = medians[f"deploy_sites ({Path(args.compare).name})"]
            print(f"  ratio {Path(args.compare).name} / deploy_sites: {other / ours:.2f}x")
    print(f"load average at the end: {load_average()}")
finally:
    connection.set_schema_to_public()
    if args.db:
        remove_probe(site_schemas())
        print(f"kept database {DB_NAME}, benchprobe removed from every schema")
    elif args.keep_db:
        print(f"kept database {DB_NAME} (dropdb {DB_NAME} when done)")
    else:
        _django.teardown(connection, old_name)
