"""Backing up one site (its schema's data, its public-schema records and its media) and restoring it,
under its own code or a new one.

The archive is a .tar.gz holding data, never statements:

- ``manifest.json``: the site record, domains and role groups; the schema's tables with their
  columns and row counts; the positions of its sequences;
- ``data/<table>.copy``: each table's rows in PostgreSQL's COPY text format;
- ``media/``: the site's upload directory;
- ``signature.json``: every other member's SHA-256, signed with the deployment's backup key
  (see "Signing" below): an archive that was edited, or made by another deployment, is refused.

Restoring never runs SQL taken from the archive. An archive is a file anyone with disk access can
edit, and a replayed dump runs with the application's database rights: a plain-SQL archive with
one extra ``UPDATE public.sites_user SET is_superuser`` made an editor a superuser. Nor is a
pg_dump custom-format archive safe once checked with ``pg_restore --list``: the list shows each
entry's schema and name, not the SQL stored in the entry, which an attacker can still write.
So the structure (tables, constraints, indexes) comes from our own template schema, migrated with
the code, and the archive only supplies rows, fed through ``COPY ... FROM STDIN`` into tables
and columns checked against that structure: data can only land in the one new schema. The
archive's migration state must equal the template's, so the rows fit the structure.

Everything about the archive is checked before the database is touched (members, manifest,
signature, the file names it stores); the restore then runs in one transaction with the new site record,
domain and role groups, and a failure anywhere leaves no schema, record or upload directory.
Page and collection permissions and review tasks are re-pointed from the old site's groups to the
new ones, and may name no other group. Inside the same transaction ``site_loaded`` lets cms
sanitise every page's and revision's HTML again, since COPY passes by its save hooks, and ``site_restored`` then lets the catalogue index the clean pages. Users are shared by the cluster and never deleted, so
revisions keep their authors: restore into the same cluster (or one restored from a whole-cluster
backup).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import shutil
import tarfile
import tempfile
import zlib
from pathlib import Path, PurePosixPath

import psycopg
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from wagtail.models import Site

from . import audit
from .models import Domain, Role, SiteGroup, Tenant, validate_host, validate_site_code
from .provisioning import (
    ProvisioningError,
    SiteSpec,
    _template_state,
    _validate,
    check_new_host,
    create_role_groups_only,
    load_schema_sql,
    pg_dump,
    public_port,
    rename_schema_sql,
    replayable,
    template_schema,
)
from .signals import site_loaded, site_restored

FORMAT = 2
TENANT_FIELDS = [
    "name",
    "short_name",
    "kind",
    "site_identifier",
    "sponsor",
    "organizer",
    "icp_number",
    "police_record_number",
    "police_record_url",
    "contact_phone",
    "contact_address",
    "org_code",
]
MANIFEST_KEYS = {"format", "code", "created_at", "tenant", "parent", "domains", "groups", "tables", "sequences"}
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
# Every table, column and sequence of a site schema is a plain lower-case identifier; anything
# else in an archive is not ours, and a name that needs no quoting cannot break out of one.
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}\Z")
# Tables whose group column grants rights: after re-pointing they may name the new site's groups
# only (an archive granting another site's or a cluster-wide group would widen access). View
# restrictions only narrow who may read, and may name any group of the cluster.
VIEW_RESTRICTION_TABLES = {"wagtailcore_pageviewrestriction_groups", "wagtailcore_collectionviewrestriction_groups"}
MAX_SEQUENCE = 2**63 - 1
SIGNATURE = "signature.json"
SIGNATURE_SALT = "sites.backup.archive-signature"
MAX_SIGNATURE_BYTES = 64 * 1024 * 1024
BAD_SIGNATURE = "备份文件的签名不符：文件被改动过，或来自另一套系统"


def media_dir(code) -> Path:
    return Path(settings.MEDIA_ROOT) / code


def _quote(identifier):
    """An identifier already matched against ``IDENTIFIER`` (or a valid site code), quoted."""
    return f'"{identifier}"'


# --- pg_dump ------------------------------------------------------------------------------------


_structure_cache: dict[str, tuple[str, str]] = {}


def _template_structure():
    """The template schema's structure without data: (tables and sequences, constraints and indexes).

    Our own schema, read by our own pg_dump: the only SQL a restore runs. Split so the rows are
    loaded before the constraints are added, which then check every row (a foreign key added
    to filled tables validates them at once, whatever its deferral).
    """
    state = _template_state()
    if state not in _structure_cache:
        _structure_cache.clear()
        sections = [
            replayable(pg_dump(template_schema(), f"--section={section}").decode("utf-8"))
            for section in ("pre-data", "post-data")
        ]
        _structure_cache[state] = tuple(sections)
    return _structure_cache[state]


# --- Signing ------------------------------------------------------------------------------------
#
# The checks below make sure an archive can only put rows into the one new schema; they cannot
# tell rows we wrote from rows someone edited (a page body with a script in it is a valid row).
# So ``backup_site`` signs what it wrote: ``signature.json`` lists every other member (the
# manifest, each data file and upload, each directory) with the SHA-256 of its content, and an
# HMAC-SHA256 of that list under the deployment's backup key. Restore recomputes the list from
# the files it unpacked and checks the HMAC before the database is touched. An archive of another
# deployment (another key) is only restored when the caller says so (``untrusted=True``); its
# rich text is re-sanitised like every restore's (``site_loaded``, answered by cms).


def signing_key():
    """The backup key: ``CMS_BACKUP_SIGNING_KEY``, else SECRET_KEY (salted apart from its other uses)."""
    return getattr(settings, "CMS_BACKUP_SIGNING_KEY", "") or settings.SECRET_KEY


def sign_listing(members, key=None):
    """HMAC-SHA256 (hex) of an archive's member list under ``key`` (default: ``signing_key()``).

    ``members`` is the list ``signature.json`` holds: ``[path, "dir"]`` or ``[path, "file", sha256]``,
    sorted by path; it is signed as compact JSON, so the bytes signed do not depend on the file.
    """
    payload = json.dumps({"format": FORMAT, "members": members}, ensure_ascii=False, separators=(",", ":"))
    return salted_hmac(SIGNATURE_SALT, payload, secret=key or signing_key(), algorithm="sha256").hexdigest()


def _file_digest(path: Path):
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def listing(root: Path, prefix=""):
    """The signed member list of the files under ``root`` (an unpacked archive, or what is about to
    be packed under ``prefix``), without ``signature.json`` itself."""
    members = [[prefix.rstrip("/"), "dir"]] if prefix else []
    for path in sorted(root.rglob("*")):
        name = prefix + path.relative_to(root).as_posix()
        if name == SIGNATURE:
            continue
        if path.is_symlink() or not (path.is_dir() or path.is_file()):
            raise ProvisioningError(f"备份内容中有链接或特殊文件 {name}，请先处理。")
        members.append([name, "dir"] if path.is_dir() else [name, "file", _file_digest(path)])
    return sorted(members)


def write_signature(target: Path, members, key=None):
    """``signature.json`` at ``target`` for an archive of ``members`` (see ``sign_listing``)."""
    members = sorted(members)
    signature = {"algorithm": "HMAC-SHA256", "members": members, "signature": sign_listing(members, key)}
    target.write_text(json.dumps(signature, ensure_ascii=False, indent=1), encoding="utf-8")


def signature_is_valid(staging: Path, key=None):
    """Whether the archive unpacked at ``staging`` is exactly what a holder of ``key`` signed."""
    path = staging / SIGNATURE
    if not path.is_file() or path.stat().st_size > MAX_SIGNATURE_BYTES:
        return False
    try:
        signature = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    if not isinstance(signature, dict) or not isinstance(signature.get("signature"), str):
        return False
    members = listing(staging)
    if signature.get("members") != members:
        return False
    return hmac.compare_digest(signature["signature"], sign_listing(members, key))


# --- Backing up ---------------------------------------------------------------------------------

_COPY_HEADER = re.compile(rb'^COPY "(?P<schema>[a-z0-9_]+)"\."(?P<table>[^"]+)" \((?P<columns>.*)\) FROM stdin;$')
_SETVAL = re.compile(
    rb"^SELECT pg_catalog\.setval\('\"(?P<schema>[a-z0-9_]+)\"\.\"(?P<name>[^\"]+)\"', (?P<value>\d+), "
    rb"(?P<called>true|false)\);$"
)
_QUOTED = re.compile(r'"([^"]*)"')


def _identifier(name, what):
    if not IDENTIFIER.match(name):
        raise ProvisioningError(f"{what}名“{name}”不是本系统的命名，无法备份。")
    return name


def _split_data_dump(dump: Path, schema, data_dir: Path):
    """pg_dump's data-only output → one COPY file per table, and the sequence positions."""
    tables, sequences = [], []
    current = None
    with dump.open("rb") as source:
        for raw in source:
            line = raw.rstrip(b"\n")
            if current is not None:
                if line == b"\\.":
                    current[1].close()
                    current = None
                else:
                    current[1].write(raw)
                    current[0]["rows"] += 1
                continue
            header = _COPY_HEADER.match(line)
            setval = _SETVAL.match(line)
            if header and header["schema"].decode() == schema:
                table = _identifier(header["table"].decode(), "表")
                columns = [_identifier(c, "列") for c in _QUOTED.findall(header["columns"].decode())]
                if ", ".join(_quote(c) for c in columns) != header["columns"].decode():
                    raise ProvisioningError(f"导出结果中表 {table} 的列无法识别。")
                entry = {"name": table, "columns": columns, "rows": 0}
                tables.append(entry)
                current = (entry, (data_dir / f"{table}.copy").open("wb"))
            elif setval and setval["schema"].decode() == schema:
                sequences.append(
                    {
                        "name": _identifier(setval["name"].decode(), "序列"),
                        "value": int(setval["value"]),
                        "is_called": setval["called"] == b"true",
                    }
                )
            elif not line or line.startswith((b"--", b"\\", b"SET ", b"SELECT pg_catalog.set_config(")):
                continue
            else:
                raise ProvisioningError(f"导出结果中有无法识别的内容：{line[:80].decode('utf-8', 'replace')}")
    if current is not None:
        raise ProvisioningError("导出结果不完整。")
    return tables, sequences


def _media_filter(info):
    """Only directories and regular files: a link in an upload directory is not content."""
    if not (info.isdir() or info.isfile()):
        raise ProvisioningError(f"上传目录中有链接或特殊文件 {info.name}，请先处理。")
    return info


def backup_site(code, target: Path, *, actor=None) -> Path:
    tenant = Tenant.objects.sites().filter(code=code).first()
    if tenant is None:
        raise ProvisioningError(f"站点“{code}”不存在。")
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="backup-"))
    try:
        dump = work / "data.sql"
        with dump.open("wb") as out:
            # One pg_dump: one snapshot of every table, committed data only.
            pg_dump(tenant.schema_name, "--data-only", stdout=out, failure="导出站点数据失败")
        (work / "data").mkdir()
        tables, sequences = _split_data_dump(dump, tenant.schema_name, work / "data")
        manifest = {
            "format": FORMAT,
            "code": tenant.code,
            "created_at": timezone.now().isoformat(),
            "tenant": {name: getattr(tenant, name) for name in TENANT_FIELDS},
            "parent": tenant.parent.code if tenant.parent_id else None,
            "domains": list(tenant.domains.values("domain", "is_primary", "is_admin_host")),
            "groups": [
                {"id": binding.group_id, "role": binding.role} for binding in SiteGroup.objects.filter(tenant=tenant)
            ],
            "tables": tables,
            "sequences": sequences,
        }
        packed = work / "archive"
        packed.mkdir()
        (packed / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        (work / "data").rename(packed / "data")
        members = listing(packed)
        if media_dir(code).exists():
            members += listing(media_dir(code), prefix="media/")
        write_signature(work / SIGNATURE, members)
        with tarfile.open(target, "w:gz") as archive:
            archive.add(packed / "manifest.json", arcname="manifest.json")
            archive.add(packed / "data", arcname="data")
            if media_dir(code).exists():
                archive.add(media_dir(code), arcname="media", filter=_media_filter)
            archive.add(work / SIGNATURE, arcname=SIGNATURE)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    audit.record("site_backup", actor=actor, tenant_code=code, target=str(target))
    return target


# --- Checking an archive ------------------------------------------------------------------------

DAMAGED = "备份文件已损坏或不完整（{detail}），未作任何更改。"


def _invalid(detail):
    return ProvisioningError(f"备份文件内容不符合要求：{detail}。未作任何更改。")


def _safe_path(name):
    """The archive member's path, or None when it could reach outside the staging directory."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return None
    parts = PurePosixPath(name).parts
    if any(part in ("", ".", "..") for part in parts):
        return None
    return parts


def _check_members(members):
    """Only the manifest, the data files and the upload directory, as regular files and directories."""
    seen, data_files = set(), set()
    for member in members:
        parts = _safe_path(member.name.rstrip("/") if member.isdir() else member.name)
        if parts is None:
            raise _invalid(f"不安全的路径“{member.name}”")
        path = "/".join(parts)
        if path in seen:
            raise _invalid(f"“{path}”出现了两次")
        seen.add(path)
        if not (member.isfile() or member.isdir()):
            raise _invalid(f"“{path}”是链接或特殊文件")
        if path in ("manifest.json", SIGNATURE) and member.isfile():
            continue
        if path in ("data", "media") and member.isdir():
            continue
        if parts[0] == "media" and len(parts) > 1:
            continue
        if parts[0] == "data" and len(parts) == 2 and member.isfile() and parts[1].endswith(".copy"):
            table = parts[1][: -len(".copy")]
            if IDENTIFIER.match(table):
                data_files.add(table)
                continue
        raise _invalid(f"不应有的内容“{path}”")
    return data_files


def _is_host(value):
    try:
        validate_host(value)
    except ValidationError:
        return False
    return True


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _check_manifest(manifest, data_files):
    """Every field of the manifest, by type and content, before anything is used."""
    if not isinstance(manifest, dict):
        raise _invalid("清单不是对象")
    unknown = set(manifest) - MANIFEST_KEYS
    if unknown:
        raise _invalid(f"清单中有未知字段 {', '.join(sorted(unknown))}")
    try:
        validate_site_code(manifest.get("code"))  # as written: "jtj\n" or "JTJ" is not what we write
    except ValidationError as exc:
        raise _invalid("站点代码无效") from exc
    tenant = manifest.get("tenant")
    if (
        not isinstance(tenant, dict)
        or not set(tenant) <= set(TENANT_FIELDS)
        or not {"name", "kind"} <= set(tenant)
        or not all(isinstance(value, str) for value in tenant.values())
    ):
        raise _invalid("站点记录字段不对")
    if manifest.get("parent") is not None and not isinstance(manifest["parent"], str):
        raise _invalid("上级站点不对")
    domains = manifest.get("domains")
    if not isinstance(domains, list) or not all(
        isinstance(d, dict)
        and set(d) == {"domain", "is_primary", "is_admin_host"}
        and isinstance(d["domain"], str)
        and isinstance(d["is_primary"], bool)
        and isinstance(d["is_admin_host"], bool)
        for d in domains
    ):
        raise _invalid("域名列表不对")
    for d in domains:
        # The primary may become the restored site's host: exactly as written, a valid host name.
        if d["is_primary"] and not _is_host(d["domain"]):
            raise _invalid(f"主域名“{d['domain'].strip()}”无效")
    groups = manifest.get("groups")
    roles = {str(role) for role in Role.site_roles()}
    if (
        not isinstance(groups, list)
        or not all(
            isinstance(g, dict) and set(g) == {"id", "role"} and _is_int(g["id"]) and g["role"] in roles for g in groups
        )
        or len({g["id"] for g in groups}) != len(groups)
        or len({g["role"] for g in groups}) != len(groups)
    ):
        raise _invalid("角色组列表不对")
    tables = manifest.get("tables")
    if not isinstance(tables, list) or not all(
        isinstance(t, dict)
        and set(t) == {"name", "columns", "rows"}
        and isinstance(t["name"], str)
        and IDENTIFIER.match(t["name"])
        and isinstance(t["columns"], list)
        and t["columns"]
        and all(isinstance(c, str) and IDENTIFIER.match(c) for c in t["columns"])
        and len(set(t["columns"])) == len(t["columns"])
        and _is_int(t["rows"])
        and t["rows"] >= 0
        for t in tables
    ):
        raise _invalid("数据表清单不对")
    names = [t["name"] for t in tables]
    if len(set(names)) != len(names) or set(names) != data_files:
        raise _invalid("数据表清单与数据文件不一致")
    if "django_migrations" not in data_files:
        raise _invalid("缺少迁移记录")
    sequences = manifest.get("sequences")
    if (
        not isinstance(sequences, list)
        or not all(
            isinstance(s, dict)
            and set(s) == {"name", "value", "is_called"}
            and isinstance(s["name"], str)
            and IDENTIFIER.match(s["name"])
            and _is_int(s["value"])
            and 1 <= s["value"] <= MAX_SEQUENCE
            and isinstance(s["is_called"], bool)
            for s in sequences
        )
        or len({s["name"] for s in sequences}) != len(sequences)
    ):
        raise _invalid("序列清单不对")


def _read_archive(archive_path: Path, staging: Path):
    """Open, check and unpack the archive into ``staging``; the checked manifest."""
    try:
        archive = tarfile.open(archive_path, "r:gz")
        members = archive.getmembers()  # reads to the end: truncation shows here (gzip's CRC)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise ProvisioningError(DAMAGED.format(detail=str(exc) or type(exc).__name__)) from exc
    with archive:
        _check_room(members, staging)
        manifest = _read_manifest(archive, members)
        data_files = _check_members(members)
        _check_manifest(manifest, data_files)
        try:
            archive.extractall(staging, members=members, filter="data")
        except (tarfile.TarError, EOFError, zlib.error) as exc:
            raise ProvisioningError(DAMAGED.format(detail=str(exc) or type(exc).__name__)) from exc
        except OSError as exc:
            raise ProvisioningError(f"解包备份文件失败：{exc}。未作任何更改。") from exc
    return manifest


def _check_room(members, staging: Path):
    """Refuse an archive whose files would not fit: a small gzip can unpack to fill the disk."""
    needed = sum(member.size for member in members if member.isfile())
    free = shutil.disk_usage(staging).free
    if needed > free * 0.9:
        raise ProvisioningError(
            f"备份文件解包后需要 {needed / 2**20:.0f} MB，临时目录只有 {free / 2**20:.0f} MB 可用。未作任何更改。"
        )


def _read_manifest(archive, members):
    """The manifest; an archive of another format is refused here."""
    info = next((member for member in members if member.name == "manifest.json"), None)
    if info is None:
        raise _invalid("缺少 manifest.json，这不是 backup_site 生成的备份")
    if not info.isfile() or info.size > MAX_MANIFEST_BYTES:
        raise _invalid("manifest.json 不对")
    try:
        manifest = json.loads(archive.extractfile(info).read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _invalid("manifest.json 不是有效的 JSON") from exc
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise ProvisioningError(DAMAGED.format(detail=str(exc) or type(exc).__name__)) from exc
    if isinstance(manifest, dict) and manifest.get("format") == 1:
        raise ProvisioningError(
            "这是旧格式（格式 1）的备份：其中是要原样执行的 SQL，无法逐条核实，为安全起见不予恢复。"
            "请用当前版本的 backup_site 重新备份。未作任何更改。"
        )
    if isinstance(manifest, dict) and manifest.get("format") != FORMAT:
        raise ProvisioningError("备份文件格式不受支持。未作任何更改。")
    return manifest


# --- Restoring ----------------------------------------------------------------------------------


def _schema_tables(schema):
    """{table: set of columns} of the schema's ordinary tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
            "WHERE c.table_schema = %s AND t.table_type = 'BASE TABLE'",
            [schema],
        )
        tables = {}
        for table, column in cursor.fetchall():
            tables.setdefault(table, set()).add(column)
    return tables


def _migrations(schema):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT app, name FROM {_quote(schema)}.django_migrations")  # noqa: S608 - a checked name
        return set(cursor.fetchall())


def _copy_table(schema, entry, path: Path):
    columns = ", ".join(_quote(column) for column in entry["columns"])
    statement = f"COPY {_quote(schema)}.{_quote(entry['name'])} ({columns}) FROM STDIN"
    with connection.cursor() as cursor:
        with cursor.copy(statement) as copy, path.open("rb") as source:
            while chunk := source.read(1024 * 1024):
                copy.write(chunk)
        loaded = cursor.rowcount
    if loaded != entry["rows"]:
        raise _invalid(f"表 {entry['name']} 应有 {entry['rows']} 行，实际载入 {loaded} 行")


def _load_data(schema, manifest, staging: Path):
    """The archive's rows into the new, empty schema; tables and columns must be the schema's own."""
    existing = _schema_tables(schema)
    tables = {entry["name"]: entry for entry in manifest["tables"]}
    if set(tables) != set(existing):
        missing, extra = set(existing) - set(tables), set(tables) - set(existing)
        raise _invalid(
            "数据表与当前系统的站点结构不一致"
            + (f"（备份中多出 {', '.join(sorted(extra)[:5])}）" if extra else "")
            + (f"（备份中缺少 {', '.join(sorted(missing)[:5])}）" if missing else "")
        )
    # The migration state first: rows of another version would not fit this structure.
    _copy_table(schema, tables["django_migrations"], staging / "data" / "django_migrations.copy")
    ours, theirs = _migrations(template_schema()), _migrations(schema)
    if ours != theirs:
        newer = sorted(f"{app}.{name}" for app, name in theirs - ours)[:3]
        older = sorted(f"{app}.{name}" for app, name in ours - theirs)[:3]
        raise ProvisioningError(
            "备份的数据库结构版本与当前系统不同，不能直接恢复"
            + (f"（备份较新：{', '.join(newer)}）" if newer else "")
            + (f"（备份较旧，缺少：{', '.join(older)}）" if older else "")
            + "。请在与备份相同版本的系统上恢复。未作任何更改。"
        )
    for name, entry in tables.items():
        if set(entry["columns"]) != existing[name]:
            raise _invalid(f"表 {name} 的列与当前系统不一致")
        if name != "django_migrations":
            _copy_table(schema, entry, staging / "data" / f"{name}.copy")
    with connection.cursor() as cursor:
        cursor.execute("SELECT sequencename FROM pg_catalog.pg_sequences WHERE schemaname = %s", [schema])
        sequences = {row[0] for row in cursor.fetchall()}
        if {s["name"] for s in manifest["sequences"]} != sequences:
            raise _invalid("序列与当前系统的站点结构不一致")
        for sequence in manifest["sequences"]:
            cursor.execute(
                "SELECT pg_catalog.setval(%s::regclass, %s, %s)",
                [f"{_quote(schema)}.{_quote(sequence['name'])}", sequence["value"], sequence["is_called"]],
            )


def _repoint_groups(schema, mapping):
    """Every group column of the restored schema: old site group → new site group.

    Then no table granting rights may name any other group: an archive that grants pages to a
    cluster-wide group or to another site's group is refused.
    """
    allowed = set(mapping.values())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = %s AND column_name = 'group_id'",
            [schema],
        )
        tables = sorted(row[0] for row in cursor.fetchall())
        for table in tables:
            target = f"{_quote(schema)}.{_quote(table)}"
            if mapping:
                values = ", ".join(["(%s::integer, %s::integer)"] * len(mapping))
                cursor.execute(
                    f"UPDATE {target} AS t SET group_id = m.new FROM (VALUES {values}) AS m(old, new) "  # noqa: S608
                    "WHERE t.group_id = m.old",
                    [number for pair in mapping.items() for number in pair],
                )
            if table in VIEW_RESTRICTION_TABLES:
                continue
            cursor.execute(
                f"SELECT DISTINCT group_id FROM {target} WHERE NOT (group_id = ANY(%s))",  # noqa: S608
                [sorted(allowed)],
            )
            if cursor.fetchone() is not None:
                raise _invalid(f"{table} 中有授予其他用户组的权限")


def _file_columns():
    """(table, column, max length) of every file field of the site schema's models."""
    tenant_apps = {app.split(".")[-1] for app in settings.TENANT_APPS}
    for model in apps.get_models():
        if model._meta.app_label not in tenant_apps and model._meta.app_config.name not in settings.TENANT_APPS:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield model._meta.db_table, field.column, field.max_length


def fitted_name(name, old, new, limit):
    """A stored file name of site ``old`` under site ``new``, at most ``limit`` characters.

    Stored names carry the schema (``jtj/documents/a.pdf``); a longer code can push a name that
    filled its column (100 characters, Django's and Wagtail's default) past it. Such a name keeps its
    folder and extension; its stem is cut and marked with a hash of the old name, so two names cut
    to the same prefix stay apart.
    """
    rest = name[len(old) + 1 :]
    candidate = f"{new}/{rest}"
    if len(candidate) <= limit:
        return candidate
    folder, _, base = rest.rpartition("/")
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    suffix = f"_{hashlib.sha256(rest.encode('utf-8')).hexdigest()[:8]}" + (f".{extension}" if dot else "")
    prefix = f"{new}/{folder}/" if folder else f"{new}/"
    room = limit - len(prefix) - len(suffix)
    if room < 1:
        raise _invalid(f"文件名“{name}”过长，无法在新站点代码下保存")
    return f"{prefix}{stem[:room]}{suffix}"


def _rewrite_file_names(schema, old, new, media: Path):
    """Stored file names: each must be under the old site's directory; re-based on the new code,
    shortened to fit its column, with the staged file renamed alike."""
    renamed = {}
    with connection.cursor() as cursor:
        for table, column, limit in _file_columns():
            target = f"{_quote(schema)}.{_quote(table)}"
            cursor.execute(
                f"SELECT DISTINCT {_quote(column)} FROM {target} WHERE {_quote(column)} <> ''"  # noqa: S608
            )
            names = [row[0] for row in cursor.fetchall()]
            mapping = {}
            for name in names:
                parts = _safe_path(name)
                if parts is None or len(parts) < 2 or parts[0] != old:
                    # A row pointing at another site's upload would serve that site's file here.
                    raise _invalid(f"文件“{name}”不在本站的上传目录中")
                new_name = renamed.get(name) or fitted_name(name, old, new, limit)
                renamed[name] = new_name
                if new_name != name:
                    mapping[name] = new_name
            for start in range(0, len(mapping), 500):
                batch = list(mapping.items())[start : start + 500]
                values = ", ".join(["(%s, %s)"] * len(batch))
                cursor.execute(
                    f"UPDATE {target} AS t SET {_quote(column)} = m.new FROM (VALUES {values}) AS m(old, new) "  # noqa: S608
                    f"WHERE t.{_quote(column)} = m.old",
                    [text for pair in batch for text in pair],
                )
    for name, new_name in renamed.items():
        source = media / name[len(old) + 1 :]
        target = media / new_name[len(new) + 1 :]
        if source == target or not source.is_file():
            continue
        if target.exists():
            raise _invalid(f"改名后的文件“{new_name}”与已有文件重名")
        target.parent.mkdir(parents=True, exist_ok=True)
        source.rename(target)


def _copy_media(source: Path, code, old):
    """The staged uploads into the site's directory; the directory made here (to remove on failure)."""
    if not source.exists():
        return None
    target = media_dir(code)
    if target.exists() and old != code:
        raise ProvisioningError(f"上传目录 {target} 已存在，请先处理。")
    created = None if target.exists() else target
    try:
        shutil.copytree(source, target, dirs_exist_ok=True)
    except OSError as exc:
        if created:
            shutil.rmtree(created, ignore_errors=True)
        raise ProvisioningError(f"复制上传文件失败：{exc}") from exc
    return created


def _check_signature(staging: Path, archive_path, *, untrusted, actor, code):
    """Refuse (and audit) an archive this deployment did not sign, unless ``untrusted``.

    Checked on the unpacked files, before the database is touched. ``code`` is the one asked for.
    """
    if signature_is_valid(staging):
        return True
    if untrusted:
        return False  # the restore's own audit event says it was untrusted
    audit.record("site_restore_refused", actor=actor, tenant_code=code, target=str(archive_path), reason="signature")
    raise ProvisioningError(
        f"{BAD_SIGNATURE}。未作任何更改。"
        "若确知它来自另一套系统且内容可信，可明确选择按“不可信备份”恢复（其中的正文会重新过滤）。"
    )


def _names(manifest, code, domain):
    """The restored site's code and host, stripped and lower-cased; the code checked here, both
    again with the rest of the site (``_validate``, ``check_new_host``) before the schema is made.

    The manifest's own were checked exactly as written (``_check_manifest``): we never write
    "jtj\n", so such an archive is refused rather than quietly corrected.
    """
    code = (code or manifest["code"]).strip().lower()
    try:
        validate_site_code(code)
    except ValidationError as exc:
        raise ProvisioningError(exc.messages[0] + "未作任何更改。") from exc
    primary = next((d["domain"] for d in manifest["domains"] if d["is_primary"]), None)
    return code, (domain or primary or "").strip().lower()


def restore_site(
    archive_path: Path, *, code=None, domain=None, name=None, untrusted=False, actor=None, progress=None
) -> Tenant:
    """Restore an archive as a new site (``code``/``domain`` default to the archived ones).

    The archive must carry this deployment's signature; ``untrusted=True`` restores one without it
    (another deployment's, or an old unsigned backup), audited as such. Every restore re-sanitises
    the site's rich text (``site_loaded``) before it commits and the catalogue indexes it.
    """
    step = progress or (lambda text: None)
    staging = Path(tempfile.mkdtemp(prefix="restore-"))
    try:
        step("检查备份文件")
        manifest = _read_archive(Path(archive_path), staging)
        old = manifest["code"]
        _check_signature(staging, archive_path, untrusted=untrusted, actor=actor, code=code or old)
        code, domain = _names(manifest, code, domain)
        details = {key: value for key, value in manifest["tenant"].items() if key not in ("name", "kind")}
        spec = SiteSpec(
            code=code,
            name=name or manifest["tenant"]["name"],
            kind=manifest["tenant"]["kind"],
            domain=domain,
            parent=manifest["parent"],
            details=details,
        )
        parent = _validate(spec)  # the code (format, taken) first, then the host
        check_new_host(domain)
        pre_data, post_data = (rename_schema_sql(sql, template_schema(), code) for sql in _template_structure())
        step("恢复数据库结构与数据")
        previous = connection.tenant
        created_media = None
        try:
            with transaction.atomic():
                connection.set_schema_to_public()
                load_schema_sql(pre_data)
                _load_data(code, manifest, staging)
                tenant = Tenant(schema_name=code, code=code, name=spec.name, kind=spec.kind, parent=parent, **details)
                tenant.full_clean(exclude=["schema_name"])
                tenant.save()
                Domain.objects.create(domain=domain, tenant=tenant, is_primary=True)
                groups = create_role_groups_only(tenant)
                _repoint_groups(code, {g["id"]: groups[Role(g["role"])].pk for g in manifest["groups"]})
                _rewrite_file_names(code, old, code, staging / "media")
                load_schema_sql(post_data)  # keys and constraints: every restored row is checked here
                connection.set_tenant(tenant)
                Site.objects.update(hostname=domain, port=public_port(), site_name=spec.name)
                connection.set_schema_to_public()
                step("过滤正文并重建站群目录")
                # Inside the transaction: cms re-sanitises the rich text (the rows came in by COPY,
                # past every save hook), then the catalogue indexes the result; a failure undoes it all.
                site_loaded.send(sender=Tenant, tenant=tenant, source=old, untrusted=untrusted)
                connection.set_schema_to_public()
                site_restored.send(sender=Tenant, tenant=tenant, source=old, untrusted=untrusted)
                connection.set_schema_to_public()
                audit.record(
                    "site_restored",
                    actor=actor,
                    tenant_code=code,
                    target=str(archive_path),
                    source=old,
                    **({"untrusted": True} if untrusted else {}),
                )
                step("复制上传文件")
                created_media = _copy_media(staging / "media", code, old)
        except BaseException as exc:
            if created_media:
                shutil.rmtree(created_media, ignore_errors=True)
            if isinstance(exc, ValidationError):
                raise ProvisioningError("；".join(exc.messages) + "。未作任何更改。") from exc
            if isinstance(exc, (DatabaseError, psycopg.Error)):
                detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise ProvisioningError(f"备份中的数据无法载入（{detail}），恢复已取消，未作任何更改。") from exc
            raise
        finally:
            connection.set_tenant(previous)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    connection.set_schema_to_public()
    return tenant
