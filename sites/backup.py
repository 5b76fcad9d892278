"""Backing up one site (its schema, its public-schema records and its media) and restoring it,
under its own code or a new one.

The archive is a .tar.gz with ``manifest.json`` (the site record, domains and role groups),
``schema.sql`` (a pg_dump of the site's schema) and ``media/`` (the site's upload directory).
Restoring replays the schema under the new code in one transaction with the new site record,
domain and role groups; page and collection permissions and review tasks are re-pointed from the
old site's groups to the new ones. Users are shared by the cluster and never deleted, so revisions
keep their authors: restore into the same cluster (or one restored from a whole-cluster backup).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from . import audit
from .models import Domain, Role, SiteGroup, Tenant
from .provisioning import (
    ProvisioningError,
    SiteSpec,
    _validate,
    create_role_groups_only,
    dump_schema,
    load_schema_sql,
    rename_schema_sql,
)

FORMAT = 1
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


def media_dir(code) -> Path:
    return Path(settings.MEDIA_ROOT) / code


def backup_site(code, target: Path, *, actor=None) -> Path:
    tenant = Tenant.objects.sites().filter(code=code).first()
    if tenant is None:
        raise ProvisioningError(f"站点“{code}”不存在。")
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
    }
    sql = dump_schema(tenant.schema_name)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(target, "w:gz") as archive:
        for name, data in (("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2)), ("schema.sql", sql)):
            payload = data.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
        if media_dir(code).exists():
            archive.add(media_dir(code), arcname="media")
    audit.record("site_backup", actor=actor, tenant_code=code, target=str(target))
    return target


def _file_columns():
    """(table, column) of every file field of the site schema's models."""
    tenant_apps = {app.split(".")[-1] for app in settings.TENANT_APPS}
    for model in apps.get_models():
        if model._meta.app_label not in tenant_apps and model._meta.app_config.name not in settings.TENANT_APPS:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield model._meta.db_table, field.column


def _split_before_foreign_keys(sql):
    """Everything before the first foreign-key constraint, and the rest."""
    match = re.search(r"^ALTER TABLE ONLY [^\n]+\n\s+ADD CONSTRAINT [^\n]+ FOREIGN KEY", sql, flags=re.M)
    if match is None:
        return sql, ""
    return sql[: match.start()], sql[match.start() :]


def _repoint_groups(schema, mapping):
    """Page/collection permissions and review tasks of the restored schema: old group → new group."""
    targets = [
        ("wagtailcore_grouppagepermission", "group_id"),
        ("wagtailcore_groupcollectionpermission", "group_id"),
        ("wagtailcore_groupapprovaltask_groups", "group_id"),
    ]
    with connection.cursor() as cursor:
        for table, column in targets:
            cursor.execute(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s", [schema, table]
            )
            if cursor.fetchone() is None:
                continue
            for old, new in mapping.items():
                cursor.execute(f'UPDATE "{schema}"."{table}" SET "{column}" = %s WHERE "{column}" = %s', [new, old])  # noqa: S608


def restore_site(archive_path: Path, *, code=None, domain=None, name=None, actor=None, progress=None) -> Tenant:
    """Restore an archive as a new site (``code``/``domain`` default to the archived ones)."""
    step = progress or (lambda text: None)
    staging = Path(tempfile.mkdtemp(prefix="restore-"))
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(staging, filter="data")
        manifest = json.loads((staging / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise ProvisioningError("备份文件格式不受支持。")
        old = manifest["code"]
        code = code or old
        primary = next((d["domain"] for d in manifest["domains"] if d["is_primary"]), None)
        domain = domain or primary
        details = {key: value for key, value in manifest["tenant"].items() if key not in ("name", "kind")}
        spec = SiteSpec(
            code=code,
            name=name or manifest["tenant"]["name"],
            kind=manifest["tenant"]["kind"],
            domain=domain,
            parent=manifest["parent"],
            details=details,
        )
        parent = _validate(spec)
        sql = rename_schema_sql((staging / "schema.sql").read_text(encoding="utf-8"), old, code)
        before_fks, fks = _split_before_foreign_keys(sql)
        step("恢复数据库结构与数据")
        previous = connection.tenant
        try:
            with transaction.atomic():
                connection.set_schema_to_public()
                load_schema_sql(before_fks)
                tenant = Tenant(schema_name=code, code=code, name=spec.name, kind=spec.kind, parent=parent, **details)
                tenant.save()
                Domain.objects.create(domain=domain, tenant=tenant, is_primary=True)
                groups = create_role_groups_only(tenant)
                mapping = {g["id"]: groups[Role(g["role"])].pk for g in manifest["groups"]}
                _repoint_groups(code, mapping)
                load_schema_sql(fks)
                connection.set_tenant(tenant)
                from wagtail.models import Site

                port = int(settings.CMS_PUBLIC_PORT or (443 if settings.CMS_PUBLIC_SCHEME == "https" else 80))
                Site.objects.update(hostname=domain, port=port, site_name=spec.name)
                connection.set_schema_to_public()
                if old != code:
                    with connection.cursor() as cursor:
                        for table, column in _file_columns():
                            cursor.execute(
                                f'UPDATE "{code}"."{table}" SET "{column}" = %s || substr("{column}", %s) '  # noqa: S608
                                f'WHERE "{column}" LIKE %s',
                                [f"{code}/", len(old) + 2, f"{old}/%"],
                            )
                step("复制上传文件")
                source = staging / "media"
                if source.exists():
                    if media_dir(code).exists() and old != code:
                        raise ProvisioningError(f"上传目录 {media_dir(code)} 已存在，请先处理。")
                    try:
                        shutil.copytree(source, media_dir(code), dirs_exist_ok=True)
                    except OSError as exc:
                        if old != code:
                            shutil.rmtree(media_dir(code), ignore_errors=True)
                        raise ProvisioningError(f"复制上传文件失败：{exc}") from exc
                audit.record("site_restored", actor=actor, tenant_code=code, target=str(archive_path), source=old)
        finally:
            connection.set_tenant(previous)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    step("重建站群目录")
    from publishing.catalogue.services import reconcile_site

    reconcile_site(tenant, fix=True)
    connection.set_schema_to_public()
    return tenant
