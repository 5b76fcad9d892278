"""Bringing every site schema up to date on a deploy, in seconds at a thousand sites.

``migrate_schemas --tenant`` runs Django's ``migrate`` once per schema: it loads the migration
graph, reads that schema's ``django_migrations`` and rebuilds the project state every time, about
0.13 s per schema with nothing to do (13 s at 102 sites, two minutes at 1,000). Here the graph and
the state are built once, every schema's applied migrations are read in one query, and a pending
migration's SQL is computed once and replayed in each schema:

- a schema already up to date costs one row-less branch of one query;
- each schema's pending migrations run in that schema's own transaction (all of them or none);
  when they are all replayed SQL, the schema's whole work (search path, no wait for the disk,
  the DDL, its django_migrations rows) goes to the server as one statement batch: one round
  trip per schema instead of four (BEGIN, SET search_path, the SQL, COMMIT), which on a busy
  machine costs a scheduling delay each; otherwise the search path is switched by
  django-tenants' ``set_schema`` and the executor runs in a ``transaction.atomic`` block;
- a migration made only of schema operations whose SQL names nothing but unqualified tables and
  indexes (``REPLAYABLE``) is turned into SQL once (the schema editor's ``collect_sql``) and that
  text is executed in every schema; anything else (RunPython, RunSQL, AlterField, which reads the
  live constraint names) goes through Django's own executor, per schema, on the shared state;
- a migration that cannot run inside a transaction (``atomic = False``, ``CONCURRENTLY``) is
  refused before any schema is touched, unless ``allow_non_atomic`` runs it by the slow path;
- a failure stops the deploy and says which schemas are at which migration; the failed schema's
  transaction is rolled back, so running the deploy again continues where it stopped.

``migrate_schemas`` stays usable for one schema or by hand; ``setup_cluster`` runs ``deploy_sites``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management import call_command
from django.db import connection, router, transaction
from django.db.migrations import operations
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ProjectState
from django_tenants.postgresql_backend.base import EXTRA_SEARCH_PATHS, _check_schema_name
from psycopg.sql import Literal
from tqdm import tqdm

from .models import Tenant

# Operations whose SQL depends only on the project state: no introspection of the live schema
# (AlterField, RemoveField and the *_together operations look up constraint names in the
# database, so they go through the executor in each schema), and names are never qualified.
REPLAYABLE = (
    operations.CreateModel,
    operations.DeleteModel,
    operations.AddField,
    operations.AddIndex,
    operations.RemoveIndex,
    operations.AddConstraint,
    operations.RemoveConstraint,
    operations.AlterModelOptions,
    operations.AlterModelManagers,
)
# Statements PostgreSQL refuses inside a transaction block.
_OUTSIDE_TRANSACTION = re.compile(
    r"\b(CONCURRENTLY|VACUUM|ALTER\s+SYSTEM|CREATE\s+DATABASE|DROP\s+DATABASE|COMMIT|ALTER\s+TYPE\s+\S+\s+ADD\s+VALUE)\b",
    re.IGNORECASE,
)
# One deploy at a time per database (a second one waits for nothing: it is refused).
_LOCK_KEY = 7_016_016


class DeployRefused(Exception):
    """A pending migration cannot be deployed this way; the message names it and says why."""


class DeployFailed(Exception):
    """A schema failed; ``report`` says which schemas are at which migration."""

    def __init__(self, message, report):
        super().__init__(message)
        self.report = report


@dataclass
class DeployReport:
    """What a deploy did, and where each schema stands (also when it stopped on a failure)."""

    schemas: int = 0
    up_to_date: int = 0
    migrated: list[str] = field(default_factory=list)
    applied: int = 0
    failed: str | None = None
    error: str = ""
    waiting: dict[str, tuple] = field(default_factory=dict)  # schema -> its pending migrations

    def describe(self):
        """The report in Chinese, for the deploy's output."""
        lines = []
        done = self.schemas - len(self.waiting)
        if self.failed:
            lines.append(f"站点模式 {self.failed} 迁移失败：{self.error}")
            lines.append(f"该模式的事务已回滚；{done} 个模式已是最新，{len(self.waiting)} 个模式待迁移：")
            groups: dict[tuple, list[str]] = {}
            for schema, pending in self.waiting.items():
                groups.setdefault(pending, []).append(schema)
            for pending, schemas in groups.items():
                names = "、".join(schemas[:10]) + (f" 等 {len(schemas)} 个" if len(schemas) > 10 else "")
                lines.append(f"  停在 {_label(pending[0])} 之前（还差 {len(pending)} 个迁移）：{names}")
            lines.append("修复后重新运行 setup_cluster，将从未完成的模式继续。")
        else:
            lines.append(
                f"{self.schemas} 个站点模式：{self.up_to_date} 个已是最新，"
                f"{len(self.migrated)} 个应用了 {self.applied} 个迁移。"
            )
        return "\n".join(lines)


# Where a schema whose django_migrations cannot be read against the graph stands.
UNREAD = ("（历史无法按迁移图读取）", "由 migrate_schemas 逐个迁移")


def _label(key):
    return f"{key[0]}.{key[1]}"


def site_schemas():
    """The template first (new sites are copied from it), then every site's schema by name."""
    template = settings.CMS_TEMPLATE_SCHEMA
    names = sorted(
        Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).values_list("schema_name", flat=True)
    )
    return sorted(names, key=lambda name: name != template)


class DeployPlan:
    """The migration graph and the forward order of every migration, loaded once per deploy.

    ``loader`` may be given (tests add a migration of their own to its graph).
    """

    def __init__(self, loader=None):
        self.loader = loader or MigrationLoader(None, ignore_no_migrations=True)
        graph = self.loader.graph
        self.order = []
        seen = set()
        for leaf in sorted(graph.leaf_nodes()):
            for key in graph.forwards_plan(leaf):
                if key not in seen:
                    seen.add(key)
                    self.order.append(key)
        self.replacements = {
            key: tuple(migration.replaces) for key, migration in self.loader.replacements.items() if key in graph.nodes
        }
        self.known = set(self.order) | {key for replaced in self.replacements.values() for key in replaced}
        self._states = {}

    def migration(self, key):
        return self.loader.graph.nodes[key]

    # --- Where each schema stands: one query for all of them --------------------------------

    def missing(self, schemas):
        """``{schema: set of known migrations it has not recorded}``; None for a schema without
        ``django_migrations`` (made by hand or half-made: the normal path creates the table)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relname = 'django_migrations' AND c.relkind = 'r' AND n.nspname = ANY(%s)",
                [list(schemas)],
            )
            with_table = {row[0] for row in cursor.fetchall()}
            result = {schema: (set() if schema in with_table else None) for schema in schemas}
            present = [schema for schema in schemas if schema in with_table]
            if not present:
                return result
            apps, names = zip(*sorted(self.known), strict=True)
            quote = connection.ops.quote_name
            # An anti-join per schema: an up-to-date schema returns no row at all. The list of
            # known migrations is a CTE referenced by every branch, so it is materialised once.
            branches = " UNION ALL ".join(
                f"SELECT %s, e.app, e.name FROM expected e WHERE NOT EXISTS "  # noqa: S608 (quoted identifiers)
                f"(SELECT FROM {quote(schema)}.django_migrations m WHERE m.app = e.app AND m.name = e.name)"
                for schema in present
            )
            cursor.execute(
                f"WITH expected(app, name) AS MATERIALIZED (SELECT * FROM unnest(%s::text[], %s::text[])) {branches}",  # noqa: S608
                [list(apps), list(names), *present],
            )
            for schema, app, name in cursor.fetchall():
                result[schema].add((app, name))
        return result

    def pending(self, missing):
        """The migrations a schema still needs, in order; None when its history cannot be read
        against the shared graph (a squashed migration half applied: the normal path handles it)."""
        pending = []
        for key in self.order:
            replaced = self.replacements.get(key)
            if replaced:
                gone = [old for old in replaced if old in missing]
                if gone and len(gone) < len(replaced):
                    return None
                if not gone:
                    if key in missing:
                        return None  # only the squash itself to record: Django's check_replacements
                    continue
            elif key not in missing:
                continue
            pending.append(key)
        return tuple(pending)

    # --- Turning migrations into steps ------------------------------------------------------

    def refusal(self, key):
        """Why ``key`` cannot run inside a schema's transaction, or ''."""
        migration = self.migration(key)
        if not migration.atomic:
            return "迁移声明了 atomic = False，不能在每个站点模式的事务中运行"
        for operation in migration.operations:
            # Operation.atomic is False by default (RunSQL keeps it); only RunPython(atomic=False) asks for none.
            if isinstance(operation, operations.RunPython) and operation.atomic is False:
                return f"操作 {operation.describe()} 声明了 atomic=False，不能在事务中运行"
            if type(operation).__name__.endswith("Concurrently"):
                return f"操作 {operation.describe()} 使用 CONCURRENTLY，不能在事务中运行"
            if isinstance(operation, operations.RunSQL):
                sql = operation.sql if isinstance(operation.sql, str) else " ".join(map(str, operation.sql))
                if _OUTSIDE_TRANSACTION.search(sql):
                    return "RunSQL 含有不能在事务中运行的语句（CONCURRENTLY、VACUUM、COMMIT 等）"
        return ""

    def state_before(self, pending):
        """The project state every schema with this list of pending migrations starts from."""
        if pending not in self._states:
            waiting = set(pending)
            state = ProjectState(real_apps=self.loader.unmigrated_apps)
            for key in self.order:
                if key not in waiting:
                    self.migration(key).mutate_state(state, preserve=False)
            state.apps  # noqa: B018 -- render once; every step clones the rendered apps
            self._states[pending] = state
        return self._states[pending]

    def steps(self, pending, schema, allow_non_atomic=False):
        """``[(kind, key, payload)]`` for one list of pending migrations: ``sql`` (text to run in
        each schema), ``executor`` (the state before it) or ``outside`` (non-atomic, by flag).

        Computed with the connection on ``schema`` (any site schema: the router lets site apps'
        operations through only there); refused when the SQL names that schema.
        """
        state = self.state_before(pending).clone()
        steps = []
        previous = connection.schema_name
        connection.set_schema(schema)
        try:
            for key in pending:
                migration = self.migration(key)
                if self._skipped(migration):
                    # A public-schema app's migration: the router stops every operation here.
                    steps.append(("sql", key, ""))
                    state = migration.mutate_state(state, preserve=False)
                    continue
                reason = self.refusal(key)
                if reason and not allow_non_atomic:
                    raise DeployRefused(
                        f"迁移 {_label(key)} 被拒绝：{reason}。如确需逐站运行，请加 --allow-non-atomic。"
                    )
                if reason:
                    steps.append(("outside", key, state.clone()))
                    state = migration.mutate_state(state, preserve=False)
                elif all(isinstance(operation, REPLAYABLE) for operation in migration.operations):
                    sql, state = self._collect_sql(migration, state, schema)
                    steps.append(("sql", key, sql) if sql is not None else ("executor", key, state.clone()))
                    if sql is None:
                        state = migration.mutate_state(state, preserve=False)
                else:
                    steps.append(("executor", key, state.clone()))
                    state = migration.mutate_state(state, preserve=False)
        finally:
            connection.set_schema(previous)
        return steps

    @staticmethod
    def _skipped(migration):
        """A migration of a public-schema app whose operations carry no routing hints: the router
        stops each of them in a site schema (schema operations by model, RunPython/RunSQL by app),
        so the schema only records it, as migrate_schemas does."""
        if router.allow_migrate(connection.alias, migration.app_label):
            return False
        return not any(getattr(operation, "hints", None) for operation in migration.operations)

    @staticmethod
    def _collect_sql(migration, state, schema):
        before = state.clone()
        with connection.schema_editor(collect_sql=True, atomic=False) as editor:
            state = migration.apply(state, editor, collect_sql=True)
        statements = [line for line in editor.collected_sql if not line.startswith("--")]
        sql = "\n".join(statements)
        if schema in sql:
            return None, before  # names the schema it was computed in: not replayable elsewhere
        return sql, state


class _SharedGraphExecutor(MigrationExecutor):
    """Django's executor on the graph loaded once for the deploy (its own loads one per schema)."""

    def __init__(self, loader):
        self.connection = connection
        self.loader = loader
        self.recorder = MigrationRecorder(connection)
        self.progress_callback = None


def _insert_migrations(keys):
    """The rows as one INSERT with literals quoted by psycopg (it joins a parameterless batch)."""
    connection.ensure_connection()
    values = ", ".join(
        f"({Literal(app).as_string(connection.connection)}, {Literal(name).as_string(connection.connection)}, now())"
        for app, name in keys
    )
    return f"INSERT INTO django_migrations (app, name, applied) VALUES {values};"  # noqa: S608 (psycopg literals)


def _records(plan, key, missing):
    """The django_migrations rows applying ``key`` writes in a schema that lacks ``missing``."""
    migration = plan.migration(key)
    if migration.replaces:
        rows = [old for old in migration.replaces if old in missing]
        return rows + [key]
    return [key]


def _apply(plan, schema, steps, missing):
    """Run one schema's steps: atomic ones in one transaction, a non-atomic one on its own."""
    if all(kind == "sql" for kind, _key, _payload in steps):
        _apply_in_one_batch(plan, schema, steps, missing)
        return
    executor = _SharedGraphExecutor(plan.loader)
    connection.set_schema(schema)
    segments, current = [], []
    for step in steps:
        if step[0] == "outside":
            if current:
                segments.append(current)
            segments.append([step])
            current = []
        else:
            current.append(step)
    if current:
        segments.append(current)
    try:
        for segment in segments:
            if segment[0][0] == "outside":
                _kind, key, state = segment[0]
                executor.apply_migration(state.clone(), plan.migration(key))
                continue
            with transaction.atomic():
                # No wait for the disk at each schema's commit (WAL flush: most of a small
                # migration's time). A crash loses the last schemas' migrations and their
                # records together, never one without the other; deploy_sites waits for the
                # disk once at the end (_flush_wal).
                batch = ["SET LOCAL synchronous_commit TO OFF;"]
                for kind, key, payload in segment:
                    if kind == "sql":
                        batch.append(payload)
                        batch.append(_insert_migrations(_records(plan, key, missing)))
                        continue
                    _flush(batch)
                    executor.apply_migration(payload.clone(), plan.migration(key))
                    if plan.migration(key).replaces:
                        executor.recorder.record_applied(*key)
                _flush(batch)
    finally:
        # A rolled-back transaction also rolls back its SET search_path: make django-tenants set it again.
        connection.search_path_set_schemas = None
        connection.set_schema_to_public()


def _apply_in_one_batch(plan, schema, steps, missing):
    """Replayed SQL only: the schema's whole transaction as one batch of statements.

    PostgreSQL runs the statements of one simple query as one transaction: a failing statement
    rolls back the DDL and the records before it, so the schema is left as it was. ``SET LOCAL``
    keeps the search path and the commit setting to that transaction; the connection stays on
    public. Inside a caller's transaction (a test's) a savepoint does that job instead, and the
    search path the batch set lasts until that transaction ends, so django-tenants is told to
    set its own again before the next statement.
    """
    search_path = ", ".join(connection.ops.quote_name(name) for name in _search_paths(schema))
    batch = [f"SET LOCAL search_path = {search_path};", "SET LOCAL synchronous_commit TO OFF;"]
    for _kind, key, payload in steps:
        batch.append(payload)
        batch.append(_insert_migrations(_records(plan, key, missing)))
    if connection.schema_name != settings.PUBLIC_SCHEMA_NAME:
        connection.set_schema_to_public()  # (on public already, no SET search_path is sent again)
    if not connection.in_atomic_block:
        _flush(batch)
        return
    try:
        with transaction.atomic():
            _flush(batch)
    finally:
        connection.search_path_set_schemas = None


def _search_paths(schema):
    """The search path django-tenants sets for a site schema: the schema, public, any extra."""
    names = [schema, settings.PUBLIC_SCHEMA_NAME, *EXTRA_SEARCH_PATHS]
    for name in names:
        _check_schema_name(name)  # as django-tenants does before interpolating a name
    return names


def _flush(batch):
    """Execute the collected SQL in one round trip (psycopg runs several statements without parameters)."""
    text = "\n".join(part for part in batch if part)
    batch.clear()
    if text:
        with connection.cursor() as cursor:
            cursor.execute(text)


def deploy_sites(schemas=None, *, plan=None, allow_non_atomic=False, progress=True, verbosity=1):
    """Migrate the template and every site schema (or ``schemas``); returns a ``DeployReport``.

    Raises ``DeployRefused`` before touching anything when a pending migration cannot run inside
    a transaction, and ``DeployFailed`` (with the report) when a schema fails.
    """
    plan = plan or DeployPlan()
    schemas = list(schemas) if schemas is not None else site_schemas()
    report = DeployReport(schemas=len(schemas))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise DeployRefused("另一个部署正在迁移站点模式，请等它结束后再运行。")
    try:
        connection.set_schema_to_public()
        missing = plan.missing(schemas)
        unreadable = [schema for schema in schemas if missing[schema] is None]
        pending = {schema: plan.pending(missing[schema]) for schema in schemas if missing[schema] is not None}
        unreadable += [schema for schema, todo in pending.items() if todo is None]
        pending = {schema: todo for schema, todo in pending.items() if todo}
        report.up_to_date = len(schemas) - len(pending) - len(unreadable)
        report.waiting = {schema: (UNREAD,) for schema in unreadable} | pending
        # Refuse before anything runs: every list of pending migrations is planned up front.
        steps = {
            todo: plan.steps(todo, schemas[0] if schemas else None, allow_non_atomic) for todo in set(pending.values())
        }
        bar = tqdm(
            total=len(pending) + len(unreadable),
            desc="迁移站点模式",
            unit="站",
            disable=(not progress) or None,
        )
        with bar:
            for schema in unreadable:
                # No readable history: the normal path (it also creates django_migrations).
                _run_normal(schema, report, verbosity)
                bar.update()
            for schema, todo in pending.items():
                try:
                    _apply(plan, schema, steps[todo], missing[schema])
                except Exception as exc:
                    report.failed = schema
                    report.error = f"{type(exc).__name__}: {exc}".strip()
                    raise DeployFailed(report.describe(), report) from exc
                del report.waiting[schema]
                report.migrated.append(schema)
                report.applied += len(todo)
                bar.update()
    finally:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            # A transaction with an id commits with synchronous_commit on: it waits until the WAL
            # is on disk up to its commit, and so up to every schema's commit before it.
            cursor.execute("SELECT pg_current_xact_id()")
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])
    return report


def _run_normal(schema, report, verbosity):
    try:
        call_command("migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=verbosity)
    except Exception as exc:
        report.failed = schema
        report.error = f"{type(exc).__name__}: {exc}".strip()
        raise DeployFailed(report.describe(), report) from exc
    del report.waiting[schema]
    report.migrated.append(schema)
