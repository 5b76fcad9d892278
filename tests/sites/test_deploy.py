"""The fast deploy (sites/deploy.py): what setup_cluster runs to migrate every site schema.

The migrations here are built in the test and added to the deploy's graph (never a real app's
migration on disk); each test's transaction rolls back their DDL with everything else.
"""

import pytest
from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import connection, migrations, models
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

from sites.deploy import DeployFailed, DeployPlan, DeployRefused, deploy_sites, site_schemas

from .test_template_schema import structure

pytestmark = pytest.mark.django_db

APP = "cms"


def probe_migrations(leaf):
    """Two migrations of every kind the deploy handles: replayed SQL and the executor's path."""
    create = migrations.Migration("9001_deploy_probe", APP)
    create.dependencies = [leaf, ("wagtailcore", "__first__")]
    create.operations = [
        migrations.CreateModel(
            name="DeployProbe",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("title", models.CharField(max_length=50)),
                ("page", models.ForeignKey("wagtailcore.page", null=True, on_delete=models.SET_NULL)),
            ],
        ),
        migrations.AddField("deployprobe", "code", models.CharField(max_length=20, default="x", db_index=True)),
        migrations.AddIndex("deployprobe", models.Index(fields=["title", "code"], name="deployprobe_title_code")),
        migrations.AddConstraint(
            "deployprobe", models.UniqueConstraint(fields=["title"], name="deployprobe_unique_title")
        ),
    ]

    def seed(apps, schema_editor):
        apps.get_model(APP, "DeployProbe").objects.create(title="种子", code="seed")

    data = migrations.Migration("9002_deploy_probe_data", APP)
    data.dependencies = [(APP, "9001_deploy_probe")]
    data.operations = [
        migrations.AlterField("deployprobe", "title", models.CharField(max_length=80)),
        migrations.RunPython(seed, migrations.RunPython.noop),
        # Not refused: RunSQL inherits Operation.atomic = False, yet runs in the migration's transaction.
        migrations.RunSQL("UPDATE cms_deployprobe SET code = code", migrations.RunSQL.noop),
    ]
    return [create, data]


def add_to(loader, migration_list):
    for migration in migration_list:
        key = (migration.app_label, migration.name)
        loader.graph.add_node(key, migration)
        loader.disk_migrations[key] = migration
        for parent in migration.dependencies:
            if parent[1] == "__first__":
                parent = loader.graph.root_nodes(parent[0])[0]
            loader.graph.add_dependency(migration, key, parent)
    return loader


def cms_leaf(loader):
    return loader.graph.leaf_nodes(APP)[0]


def plan_with(make):
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return DeployPlan(add_to(loader, make(cms_leaf(loader))))


def recorded(schema):
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations')  # noqa: S608
        return {tuple(row) for row in cursor.fetchall()}


def columns(schema, table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s",
            [schema, table],
        )
        return {row[0] for row in cursor.fetchall()}


def test_up_to_date_schemas_do_nothing(cluster):
    schemas = site_schemas()
    assert schemas[0] == settings.CMS_TEMPLATE_SCHEMA and {"portal", "jtj", "jyj"} <= set(schemas)
    before = {schema: recorded(schema) for schema in schemas}
    with CaptureQueriesContext(connection) as queries:
        report = deploy_sites(progress=False)
    assert report.migrated == [] and report.up_to_date == len(schemas)
    # A few queries for the whole cluster, not a few per schema: one of them reads every history.
    assert len(queries) <= 8, [q["sql"][:80] for q in queries]
    assert [q["sql"].count('"jtj".django_migrations') for q in queries if '"jtj"' in q["sql"]] == [1]
    assert {schema: recorded(schema) for schema in schemas} == before


def test_a_pending_migration_reaches_every_schema_including_the_template(cluster):
    plan = plan_with(probe_migrations)
    report = deploy_sites(plan=plan, progress=False)
    schemas = site_schemas()
    assert report.migrated == schemas and report.applied == 2 * len(schemas)
    for schema in schemas:
        assert {"id", "title", "page_id", "code"} <= columns(schema, "cms_deployprobe"), schema
        assert {(APP, "9001_deploy_probe"), (APP, "9002_deploy_probe_data")} <= recorded(schema)
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT title, code FROM "{schema}".cms_deployprobe')  # noqa: S608
            assert cursor.fetchall() == [("种子", "seed")]  # RunPython ran in each schema
    assert deploy_sites(plan=plan, progress=False).migrated == []  # and a second run has nothing left


def test_fast_deploy_equals_the_normal_executor(cluster):
    before = structure("jyj")
    assert structure("jtj") == before  # same starting point: both copies of the template
    deploy_sites(["jtj"], plan=plan_with(probe_migrations), progress=False)

    connection.set_schema("jyj")
    executor = MigrationExecutor(connection)  # Django's own: reads jyj's history, migrates jyj
    probe = probe_migrations(cms_leaf(executor.loader))
    add_to(executor.loader, probe)
    executor.migrate([(APP, probe[-1].name)])
    connection.set_schema_to_public()

    fast, normal = structure("jtj"), structure("jyj")
    assert fast != before and any("deployprobe" in row[0] for row in fast["columns"])
    assert any("deployprobe_unique_title" in row[1] for row in fast["constraints"])
    for kind in fast:
        assert fast[kind] == normal[kind], kind
    assert recorded("jtj") == recorded("jyj")


def test_a_failure_stops_with_a_report_and_a_rerun_resumes(cluster):
    plan = plan_with(probe_migrations)
    schemas = site_schemas()
    failing = schemas.index("jtj")
    assert 0 < failing < len(schemas) - 1  # schemas before it and after it
    with connection.cursor() as cursor:
        cursor.execute('CREATE TABLE "jtj".cms_deployprobe (id integer)')  # in the way of CreateModel

    with pytest.raises(DeployFailed) as failure:
        deploy_sites(plan=plan, progress=False)
    report = failure.value.report
    assert report.failed == "jtj"
    assert report.migrated == schemas[:failing]
    assert list(report.waiting) == schemas[failing:]
    message = str(failure.value)
    assert "jtj" in message and "停在 cms.9001_deploy_probe 之前" in message and "重新运行" in message
    # The failed schema's transaction was rolled back: nothing half-applied, nothing recorded.
    assert columns("jtj", "cms_deployprobe") == {"id"}
    assert (APP, "9001_deploy_probe") not in recorded("jtj")
    assert (APP, "9001_deploy_probe") not in recorded(schemas[failing + 1])
    assert (APP, "9002_deploy_probe_data") in recorded(schemas[0])

    with connection.cursor() as cursor:
        cursor.execute('DROP TABLE "jtj".cms_deployprobe')
    resumed = deploy_sites(plan=plan, progress=False)
    assert resumed.migrated == schemas[failing:]
    assert resumed.up_to_date == failing
    assert all((APP, "9002_deploy_probe_data") in recorded(schema) for schema in schemas)


def non_atomic(leaf):
    migration = migrations.Migration("9001_deploy_non_atomic", APP)
    migration.atomic = False
    migration.dependencies = [leaf]
    migration.operations = [
        migrations.CreateModel("DeployProbe", [("id", models.BigAutoField(primary_key=True))]),
    ]
    return [migration]


def concurrent_index(leaf):
    create, _data = probe_migrations(leaf)
    index = migrations.Migration("9003_deploy_concurrently", APP)
    index.dependencies = [(APP, create.name)]
    index.operations = [AddIndexConcurrently("deployprobe", models.Index(fields=["code"], name="deployprobe_code"))]
    return [create, index]


@pytest.mark.parametrize(
    ("make", "reason"),
    [(non_atomic, "atomic = False"), (concurrent_index, "CONCURRENTLY")],
)
def test_a_migration_that_cannot_run_in_a_transaction_is_refused(cluster, make, reason):
    with pytest.raises(DeployRefused, match=reason) as refusal:
        deploy_sites(plan=plan_with(make), progress=False)
    assert "cms.900" in str(refusal.value) and "--allow-non-atomic" in str(refusal.value)
    # Refused before any schema was touched.
    assert not any(columns(schema, "cms_deployprobe") for schema in site_schemas())


def test_the_slow_path_runs_a_non_atomic_migration_only_when_asked(cluster):
    report = deploy_sites(["jtj"], plan=plan_with(non_atomic), progress=False, allow_non_atomic=True)
    assert report.migrated == ["jtj"]
    assert columns("jtj", "cms_deployprobe") == {"id"}
    assert (APP, "9001_deploy_non_atomic") in recorded("jtj")


def replayable_only(leaf):
    """A migration the deploy replays as SQL (no executor step): the one-batch path."""
    create, _data = probe_migrations(leaf)
    return [create]


def test_replayed_sql_goes_to_each_schema_as_one_batch(cluster):
    schemas = site_schemas()
    with CaptureQueriesContext(connection) as queries:
        report = deploy_sites(plan=plan_with(replayable_only), progress=False)
    assert report.migrated == schemas
    carrying = [q["sql"] for q in queries if "cms_deployprobe" in q["sql"]]
    # One statement per schema carries its search path, its DDL and its django_migrations row.
    assert len(carrying) == len(schemas)
    for schema, sql in zip(schemas, carrying, strict=True):
        assert sql.startswith(f'SET LOCAL search_path = "{schema}", "public";'), sql[:80]
        assert 'CREATE TABLE "cms_deployprobe"' in sql and "INSERT INTO django_migrations" in sql
        assert "9001_deploy_probe" in sql
    for schema in schemas:
        assert {"id", "title", "page_id", "code"} <= columns(schema, "cms_deployprobe"), schema
        assert (APP, "9001_deploy_probe") in recorded(schema)
    assert not columns("public", "cms_deployprobe")  # nothing landed in the public schema
    # The connection is back on public, and django-tenants knows it.
    with connection.cursor() as cursor:
        cursor.execute("SHOW search_path")
        assert cursor.fetchone()[0] == "public"


def test_one_batch_equals_the_normal_executor(cluster):
    deploy_sites(["jtj"], plan=plan_with(replayable_only), progress=False)
    connection.set_schema("jyj")
    executor = MigrationExecutor(connection)
    probe = replayable_only(cms_leaf(executor.loader))
    add_to(executor.loader, probe)
    executor.migrate([(APP, probe[-1].name)])
    connection.set_schema_to_public()
    fast, normal = structure("jtj"), structure("jyj")
    assert any("deployprobe" in row[0] for row in fast["columns"])
    for kind in fast:
        assert fast[kind] == normal[kind], kind
    assert recorded("jtj") == recorded("jyj")


def test_a_failing_batch_leaves_its_schema_untouched_and_a_rerun_resumes(cluster):
    plan = plan_with(replayable_only)
    schemas = site_schemas()
    failing = schemas.index("jtj")
    with connection.cursor() as cursor:
        # In the way of the AddIndex, after CreateModel and AddField in the same batch.
        cursor.execute('CREATE TABLE "jtj".deployprobe_title_code (id integer)')
    with pytest.raises(DeployFailed) as failure:
        deploy_sites(plan=plan, progress=False)
    assert failure.value.report.failed == "jtj"
    assert failure.value.report.migrated == schemas[:failing]
    # The statements before the failing one were rolled back with it.
    assert not columns("jtj", "cms_deployprobe")
    assert (APP, "9001_deploy_probe") not in recorded("jtj")
    with connection.cursor() as cursor:
        cursor.execute('DROP TABLE "jtj".deployprobe_title_code')
    resumed = deploy_sites(plan=plan, progress=False)
    assert resumed.migrated == schemas[failing:]
    assert all((APP, "9001_deploy_probe") in recorded(schema) for schema in schemas)
