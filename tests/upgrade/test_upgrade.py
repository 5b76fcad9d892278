"""A database made by the previous release migrates cleanly with the current code.

``previous_release.sql.gz`` is a whole-database dump (public schema, the site template and five
demo sites with published content, review records, a word list, a syndication submission) made by
the release named in README.md here. The test restores it into a scratch database on the server
the rest of the suite uses (DATABASE_URL, or the embedded pgserver), runs the current code's
``setup_cluster`` against it, as a deploy does, and checks the result in processes of its own, so
the suite's own test database is not touched.

Everything after the restore reaches the code through command names and app labels only
(``apps.get_model("catalogue", ...)``), which stay fixed when modules move.
"""

import gzip
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
DUMP = Path(__file__).with_name("previous_release.sql.gz")
TIMEOUT = 300

# Known content of the dump (made by the previous release, see README.md).
SITES_BEFORE = {"portal", "jtj", "jyj", "wsjkw", "qhx"}
CATALOGUE_ROWS_BEFORE = 90
ARTICLE = "升级前发布的交通运输工作动态"
DOCUMENT = "升级前发布的政府信息公开文件"
DOCUMENT_INDEX_NUMBER = "014207301/2026-00006"
WORD_LIST = "升级测试词库"
BLOCKED_WORD = "升级测试禁用词"

CHECK = r"""
import json, tempfile
from io import StringIO
from urllib.parse import urlparse

from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django_tenants.utils import get_tenant_model, schema_context

Tenant = get_tenant_model()
CatalogueEntry = apps.get_model("catalogue", "CatalogueEntry")
Submission = apps.get_model("syndication", "Submission")
DocumentValidity = apps.get_model("syndication", "DocumentValidity")
WordList = apps.get_model("publishing", "WordList")
ArticlePage = apps.get_model("cms", "ArticlePage")
ColumnPage = apps.get_model("cms", "ColumnPage")
DisclosureDocumentPage = apps.get_model("cms", "DisclosureDocumentPage")
ConfidentialityRecord = apps.get_model("review", "ConfidentialityRecord")
WorkflowState = apps.get_model("wagtailcore", "WorkflowState")

out = {"unapplied": {}}
for schema in ["public", *Tenant.objects.exclude(schema_name="public").values_list("schema_name", flat=True)]:
    with schema_context(schema):
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        out["unapplied"][schema] = [f"{m.app_label}.{m.name}" for m, _ in plan]

out["sites"] = sorted(Tenant.objects.values_list("code", flat=True))
out["catalogue_rows"] = CatalogueEntry.objects.count()
entries = {e.title: e for e in CatalogueEntry.objects.filter(tenant__code="jtj", title__in=[ARTICLE, DOCUMENT])}
out["catalogue_titles"] = sorted(entries)
out["catalogue_index_number"] = entries[DOCUMENT].index_number if DOCUMENT in entries else None

client = Client()
with schema_context("jtj"):
    article = ArticlePage.objects.live().get(title=ARTICLE)
    document = DisclosureDocumentPage.objects.live().get(title=DOCUMENT)
    out["document_index_number"] = document.index_number
    out["confidentiality_records"] = ConfidentialityRecord.objects.count()
    out["workflow_states"] = WorkflowState.objects.count()
for title, entry in entries.items():
    response = client.get(urlparse(entry.url).path, HTTP_HOST="jtj.localhost")
    out.setdefault("served", {})[title] = [response.status_code, title in response.content.decode()]

out["submission"] = list(Submission.objects.filter(title=ARTICLE).values_list("status", "target_tenant__code"))
out["validity"] = list(
    DocumentValidity.objects.filter(tenant__code="jtj", page_id=document.pk).values_list("index_number", "validity")
)
out["word_entries"] = WordList.objects.get(name=WORD_LIST).entries.count()

with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as handle:
    handle.write(f"本文含有{BLOCKED_WORD}。")
scan = StringIO()
try:
    call_command("scan_text", handle.name, "--json", stdout=scan)
except SystemExit:
    pass  # a text with a blocking word may end the command with a non-zero status
out["scan"] = scan.getvalue()
found = StringIO()
call_command("search", ARTICLE, "--json", stdout=found)
out["search"] = found.getvalue()

# The current code publishes into a site made by the previous release ...
with schema_context("jtj"):
    column = ColumnPage.objects.get(slug="gzdt")
    page = ArticlePage(title="升级后发布的文章", slug="after-upgrade", body="<p>升级后发布。</p>", live=False)
    column.add_child(instance=page)
    page.save_revision().publish()
out["published_after"] = CatalogueEntry.objects.filter(tenant__code="jtj", title="升级后发布的文章").count()
# ... and serves the site it has just created from the upgraded template.
response = client.get("/", HTTP_HOST="upg.localhost")
out["new_site_home"] = response.status_code
print("UPGRADE-CHECK " + json.dumps(out, ensure_ascii=False))
"""


def _server():
    """The server the suite uses: the connection settings pytest-django loaded (no query made)."""
    db = connection.settings_dict
    return {
        "host": db.get("HOST") or "",
        "port": str(db.get("PORT") or ""),
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or "",
    }


def _connect(server, dbname):
    return psycopg.connect(
        host=server["host"] or None,
        port=server["port"] or None,
        user=server["user"],
        password=server["password"] or None,
        dbname=dbname,
        autocommit=True,
    )


def _psql_binary(server_major):
    """psql at least as new as the server: $CMS_PSQL, then pgserver's, then PATH (as for pg_dump)."""
    if os.environ.get("CMS_PSQL"):
        return os.environ["CMS_PSQL"]
    from cms.embedded_db import bin_dir

    candidates = [str(bin_dir() / "psql")] if (bin_dir() / "psql").exists() else []
    if shutil.which("psql"):
        candidates.append(shutil.which("psql"))
    for candidate in candidates:
        out = subprocess.run([candidate, "--version"], capture_output=True, text=True, check=False).stdout
        match = re.search(r"(\d+)\.", out)
        if match and int(match.group(1)) >= server_major:
            return candidate
    pytest.fail(f"no psql of version {server_major} or newer (install the PostgreSQL client or set CMS_PSQL)")


def _database_url(server, name):
    credentials = quote(server["user"], safe="")
    if server["password"]:
        credentials += ":" + quote(server["password"], safe="")
    host = quote(server["host"] or "localhost", safe="")
    port = f":{server['port']}" if server["port"] else ""
    return f"postgres://{credentials}@{host}{port}/{name}"


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory):
    """The previous release's dump restored into a scratch database, then the current setup run on it."""
    server = _server()
    name = f"cms_upgrade_{secrets.token_hex(4)}"
    with _connect(server, "postgres") as conn:
        server_major = conn.info.server_version // 10000
        conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    try:
        # Newer pg_dump writes \restrict / \unrestrict; older psql (pgserver's 16.2) rejects them.
        sql = "".join(
            line
            for line in gzip.decompress(DUMP.read_bytes()).decode("utf-8").splitlines(keepends=True)
            if not line.startswith(("\\restrict", "\\unrestrict"))
        )
        args = [_psql_binary(server_major), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--dbname", name]
        args += ["--username", server["user"]]
        if server["host"]:
            args += ["--host", server["host"]]
        if server["port"]:
            args += ["--port", server["port"]]
        env = dict(os.environ, PGPASSWORD=server["password"])
        restored = subprocess.run(args, input=sql, capture_output=True, text=True, env=env, timeout=TIMEOUT)
        assert restored.returncode == 0, restored.stderr[-4000:]

        env = dict(os.environ)
        env.update(
            DATABASE_URL=_database_url(server, name),
            DJANGO_SETTINGS_MODULE="cms.settings.test",
            CMS_VAR_DIR=str(tmp_path_factory.mktemp("upgrade-var")),
        )

        def manage(*command, **options):
            return subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                **options,
            )

        setup = manage("setup_cluster")
        yield manage, setup
    finally:
        with _connect(server, "postgres") as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_previous_release_database_migrates_and_keeps_its_content(upgraded):
    manage, setup = upgraded
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-4000:]
    assert "Traceback" not in setup.stderr, setup.stderr[-4000:]

    created = manage(
        "create_site", "--code", "upg", "--name", "升级验证局", "--kind", "department", "--parent", "portal",
        "--domain", "upg.localhost",
    )  # fmt: skip
    assert created.returncode == 0, created.stdout[-2000:] + created.stderr[-4000:]

    changes = manage("makemigrations", "--check", "--dry-run")
    assert changes.returncode == 0, changes.stdout[-4000:] + changes.stderr[-2000:]

    constants = (
        f"ARTICLE = {ARTICLE!r}\nDOCUMENT = {DOCUMENT!r}\nWORD_LIST = {WORD_LIST!r}\nBLOCKED_WORD = {BLOCKED_WORD!r}\n"
    )
    checked = manage("shell", "-c", constants + CHECK)
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-4000:]
    line = next(line for line in checked.stdout.splitlines() if line.startswith("UPGRADE-CHECK "))
    result = json.loads(line.removeprefix("UPGRADE-CHECK "))

    # Every schema, the new site's included, is at the current code's last migration.
    assert set(result["unapplied"]) >= {"public", "site_template", *SITES_BEFORE, "upg"}
    assert all(not plan for plan in result["unapplied"].values()), result["unapplied"]
    assert set(result["sites"]) >= SITES_BEFORE | {"upg"}

    # What the previous release published is still catalogued, numbered and served.
    assert result["catalogue_rows"] == CATALOGUE_ROWS_BEFORE
    assert result["catalogue_titles"] == sorted([ARTICLE, DOCUMENT])
    assert result["catalogue_index_number"] == DOCUMENT_INDEX_NUMBER
    assert result["document_index_number"] == DOCUMENT_INDEX_NUMBER
    assert result["served"] == {ARTICLE: [200, True], DOCUMENT: [200, True]}
    assert result["confidentiality_records"] >= 1
    assert result["workflow_states"] >= 1
    assert result["submission"] == [["adopted", "portal"]]
    assert result["validity"] == [[DOCUMENT_INDEX_NUMBER, "valid"]]
    assert result["word_entries"] == 3
    assert BLOCKED_WORD in result["scan"], result["scan"]
    assert ARTICLE in result["search"], result["search"]

    # The current code works on the upgraded database: it publishes and it has created a site.
    assert result["published_after"] == 1
    assert result["new_site_home"] == 200
