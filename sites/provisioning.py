"""Creating, closing and preparing sites.

A new site's schema is a copy of the template schema, made with ``pg_dump`` of the template and
replayed inside the same transaction that creates the tenant row, its domains and its role groups.
So a failure anywhere leaves nothing behind (PostgreSQL DDL is transactional), and the copy keeps
every constraint name (django-tenants' clone function renames unique constraints and drops
Wagtail's ``unique_permission``, which makes later migrations fail on cloned sites only).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django_tenants.utils import schema_context, schema_exists
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
    Workflow,
)

from . import audit
from .models import Domain, Role, SiteGroup, SiteKind, SiteStatus, Tenant, validate_host, validate_site_code
from .signals import site_closed, site_provisioned


class ProvisioningError(Exception):
    """A request to create or change a site that cannot be carried out; the message is for people."""


@dataclass
class SiteSpec:
    code: str
    name: str
    kind: str = SiteKind.DEPARTMENT
    domain: str = ""
    parent: str | None = None
    admin_domain: str | None = None
    aliases: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)


# --- The template schema ----------------------------------------------------------------------


def template_schema():
    return settings.CMS_TEMPLATE_SCHEMA


def ensure_template(verbosity=0):
    """Create the template tenant (by running migrations) if it does not exist yet."""
    tenant = Tenant.objects.filter(schema_name=template_schema()).first()
    if tenant is None:
        tenant = Tenant(schema_name=template_schema(), code="sitetemplate", name="站点模板", is_template=True)
        tenant.save()
        tenant.create_schema(check_if_exists=True, verbosity=verbosity)
    with schema_context(tenant.schema_name):
        prepare_template()
    return tenant


def prepare_template():
    """Leave the template with Wagtail's root page and nothing site-specific (idempotent).

    Runs after every migrate, so whatever a Wagtail migration adds is cleaned before it is copied.
    """
    strip_wagtail_default_grants()
    Site.objects.all().delete()
    for page in Page.objects.filter(depth=2):
        page.delete()


def public_port():
    """The port readers use (Wagtail Site records): CMS_PUBLIC_PORT, else the scheme's default."""
    return int(settings.CMS_PUBLIC_PORT or (443 if settings.CMS_PUBLIC_SCHEME == "https" else 80))


def _pg_dump_binary():
    """pg_dump must be at least as new as the server: prefer $CMS_PG_DUMP, then the embedded
    server's (``CMS_PG_BIN_DIR``, set by the settings), then PATH."""
    if os.environ.get("CMS_PG_DUMP"):
        return os.environ["CMS_PG_DUMP"]
    server_major = connection.pg_version // 10000
    bin_dir = getattr(settings, "CMS_PG_BIN_DIR", "")
    bundled = Path(bin_dir) / "pg_dump" if bin_dir else None
    candidates = [str(bundled)] if bundled and bundled.exists() else []
    if shutil.which("pg_dump"):
        candidates.append(shutil.which("pg_dump"))
    for candidate in candidates:
        out = subprocess.run([candidate, "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603
        match = re.search(r"(\d+)\.", out)
        if match and int(match.group(1)) >= server_major:
            return candidate
    raise ProvisioningError(f"找不到版本不低于 {server_major} 的 pg_dump，请安装 PostgreSQL 客户端或设置 CMS_PG_DUMP。")


_dump_cache: dict[str, str] = {}


def _template_state():
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT count(*), coalesce(max(id), 0) FROM "{template_schema()}".django_migrations'  # noqa: S608
        )
        count, last = cursor.fetchone()
        return f"{count}-{last}"


def pg_dump(schema_name, *options, stdout=None, failure="导出站点结构失败"):
    """Run pg_dump on one schema of our own database; its bytes, or None when ``stdout`` (a file) took them.

    Identifiers are all quoted, so ``rename_schema_sql`` can rename the schema without touching
    data that happens to contain the schema's name (a host such as ``jtj.localhost``).
    """
    db = connection.settings_dict
    env = dict(os.environ, PGPASSWORD=db.get("PASSWORD") or "")
    args = [
        _pg_dump_binary(),
        "--schema",
        schema_name,
        "--no-owner",
        "--no-privileges",
        "--no-comments",
        "--quote-all-identifiers",
        *options,
        "--dbname",
        db["NAME"],
        "--username",
        db.get("USER") or "postgres",
    ]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    result = subprocess.run(args, stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        raise ProvisioningError(f"{failure}：{result.stderr.decode('utf-8', 'replace').strip()}")
    return result.stdout


def replayable(sql):
    """pg_dump's SQL made to run inside our own transaction."""
    lines = []
    for line in sql.splitlines():
        if line.startswith("\\") or line.startswith("--"):
            continue  # psql meta-commands (\restrict) and comments
        # Session settings must not outlive the transaction that replays the dump.
        line = re.sub(r"^SET (?!LOCAL)", "SET LOCAL ", line)
        line = line.replace("set_config('search_path', '', false)", "set_config('search_path', '', true)")
        lines.append(line)
    return "\n".join(lines)


def dump_schema(schema_name):
    """One schema as SQL that can run inside a transaction: structure, data, sequence positions."""
    return replayable(pg_dump(schema_name, "--inserts").decode("utf-8"))


_STRING_LITERAL = re.compile(r"('(?:[^']|'')*')")


def rename_schema_sql(sql, old, new):
    """Rename the schema in dumped SQL: the quoted identifier outside string literals, and the
    sequence names in ``nextval('"old"."seq"')``/``setval`` literals; never other data."""
    parts = _STRING_LITERAL.split(sql)
    for index in range(0, len(parts), 2):  # even parts are outside string literals
        if "$$" in parts[index]:
            raise ProvisioningError("模板中含有函数体，无法安全改名。")
        parts[index] = parts[index].replace(f'"{old}"', f'"{new}"')
    sequence_prefix = f'\'"{old}".'
    for index in range(1, len(parts), 2):
        if parts[index].startswith(sequence_prefix):
            parts[index] = f'\'"{new}".' + parts[index][len(sequence_prefix) :]
    return "".join(parts)


def template_sql():
    """The template schema as SQL (cached per migration state of the template)."""
    state = _template_state()
    if state not in _dump_cache:
        _dump_cache.clear()
        _dump_cache[state] = dump_schema(template_schema())
    return _dump_cache[state]


def load_schema_sql(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
    connection.search_path_set_schemas = None


def _copy_template(schema_name):
    load_schema_sql(rename_schema_sql(template_sql(), template_schema(), schema_name))


# --- Wagtail's defaults that must not survive ---------------------------------------------------


def strip_wagtail_default_grants():
    """Remove what Wagtail's migrations give the global Editors/Moderators groups in this schema.

    Those groups are shared by every site: left in place, a member of "Editors" could edit every
    site. Also removes the default "Moderators approval" workflow; each site gets its own chain.
    """
    unbound = Group.objects.filter(site_binding__isnull=True)
    GroupPagePermission.objects.filter(group__in=unbound).delete()
    GroupCollectionPermission.objects.filter(group__in=unbound).delete()
    for task in GroupApprovalTask.objects.filter(groups__in=unbound).distinct():
        task.groups.remove(*unbound)
    Workflow.objects.filter(name="Moderators approval").delete()
    GroupApprovalTask.objects.filter(name="Moderators approval").delete()


# --- Role groups --------------------------------------------------------------------------------

PAGE_PERMISSIONS = {
    Role.SITE_ADMIN: ["add_page", "change_page", "lock_page", "unlock_page", "bulk_delete_page"],
    Role.EDITOR: ["add_page", "change_page"],
    Role.REVIEWER: ["change_page", "lock_page"],
    Role.SECRECY_OFFICER: ["change_page", "lock_page"],
    Role.HANDLER: [],  # answers citizens; writes no pages
}
COLLECTION_PERMISSIONS = {
    Role.SITE_ADMIN: [
        "add_image",
        "change_image",
        "delete_image",
        "choose_image",
        "add_document",
        "change_document",
        "delete_document",
        "choose_document",
    ],
    Role.EDITOR: ["add_image", "change_image", "choose_image", "add_document", "change_document", "choose_document"],
    Role.REVIEWER: ["choose_image", "choose_document"],
    Role.SECRECY_OFFICER: ["choose_image", "choose_document"],
    Role.HANDLER: [],
}
MODEL_PERMISSIONS = {role: ["wagtailadmin.access_admin"] for role in Role.site_roles()}
# The site admin edits the site's logo and banner (cms.SiteBranding) within the theme's limits.
MODEL_PERMISSIONS[Role.SITE_ADMIN] = ["wagtailadmin.access_admin", "cms.change_sitebranding"]


def _perm(app_label, codename):
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def group_name(tenant, role):
    return f"{tenant.code}·{Role(role).label}"


def _model_permissions(role):
    perms = []
    for dotted in MODEL_PERMISSIONS[role]:
        app_label, codename = dotted.split(".")
        perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if perm is None:
            raise ProvisioningError(f"权限 {dotted} 不存在：请先运行 setup_cluster。")
        perms.append(perm)
    return perms


def sync_role_permissions():
    """Give every site's role groups exactly the model permissions their role has now (idempotent).

    Runs on every deploy, so a permission added to a role reaches the sites made before.
    """
    for tenant in Tenant.objects.sites():
        create_missing_role_groups(tenant)
    for binding in SiteGroup.objects.exclude(role__in=Role.administrator_roles()).select_related("group"):
        binding.group.permissions.set(_model_permissions(Role(binding.role)))


def create_missing_role_groups(tenant):
    """A role added after the site was made (互动办理员) gets its group on the next deploy.

    Only roles without page or collection rights are made here (those grants need the site's home
    page and are made at provisioning).
    """
    have = set(SiteGroup.objects.filter(tenant=tenant).values_list("role", flat=True))
    for role in Role.site_roles():
        if role in have or PAGE_PERMISSIONS[role] or COLLECTION_PERMISSIONS[role]:
            continue
        group, _ = Group.objects.get_or_create(name=group_name(tenant, role))
        SiteGroup.objects.create(group=group, tenant=tenant, role=role)


def create_role_groups_only(tenant):
    """The site's four role groups with their model permissions (public schema only)."""
    groups = {}
    for role in Role.site_roles():
        group = Group.objects.create(name=group_name(tenant, role))
        SiteGroup.objects.create(group=group, tenant=tenant, role=role)
        group.permissions.set(_model_permissions(role))
        groups[role] = group
    return groups


def create_role_groups(tenant, home):
    """One group per role for this site, with page, collection and model permissions."""
    root_collection = Collection.get_first_root_node()
    groups = create_role_groups_only(tenant)
    for role, group in groups.items():
        for codename in PAGE_PERMISSIONS[role]:
            GroupPagePermission.objects.create(group=group, page=home, permission=_perm("wagtailcore", codename))
        for codename in COLLECTION_PERMISSIONS[role]:
            app_label = "wagtailimages" if codename.endswith("image") else "wagtaildocs"
            GroupCollectionPermission.objects.create(
                group=group, collection=root_collection, permission=_perm(app_label, codename)
            )
    return groups


# --- Creating a site ----------------------------------------------------------------------------


HOST_TAKEN = "域名“{host}”已被其他站点使用。"


def check_new_host(host):
    """``host`` lower-cased, refused as ``create_site`` refuses it (invalid, or another site's)."""
    host = (host or "").strip().lower()
    try:
        validate_host(host)
    except ValidationError as exc:
        raise ProvisioningError(exc.messages[0]) from exc
    if Domain.objects.filter(domain=host).exists():
        raise ProvisioningError(HOST_TAKEN.format(host=host))
    return host


def check_parent(kind, parent_code, site=None):
    """The parent ``Tenant`` named by ``parent_code`` (or None), refused with the message people see.

    Shared by ``create_site``, restore and the web office's site screens (``site`` is the site being
    edited: it may not become its own ancestor).
    """
    parent = None
    if parent_code:
        parent = Tenant.objects.sites().filter(code=parent_code).first()
        if parent is None:
            raise ProvisioningError(f"上级站点“{parent_code}”不存在。")
    if kind != SiteKind.PORTAL and kind != SiteKind.TOPIC and parent is None:
        others = Tenant.objects.sites().filter(kind=SiteKind.PORTAL)
        if site is not None:
            others = others.exclude(pk=site.pk)
        if others.exists():
            raise ProvisioningError("部门、县区网站必须指定上级站点（--parent），通常是门户网站。")
    if site is not None and parent is not None:
        ancestor, seen = parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if ancestor.pk == site.pk:
                raise ProvisioningError("上级站点不能是本站或本站的下级站点。")
            seen.add(ancestor.pk)
            ancestor = ancestor.parent
    return parent


def _validate(spec: SiteSpec):
    try:
        validate_site_code(spec.code)
    except ValidationError as exc:
        raise ProvisioningError(exc.messages[0]) from exc
    if spec.kind not in SiteKind.values:
        raise ProvisioningError(f"站点类型“{spec.kind}”无效，可选：{', '.join(SiteKind.values)}。")
    if not spec.name.strip():
        raise ProvisioningError("网站名称不能为空。")
    hosts = [spec.domain] + list(spec.aliases) + ([spec.admin_domain] if spec.admin_domain else [])
    if not spec.domain:
        raise ProvisioningError("必须为站点指定一个主域名（--domain）。")
    for host in hosts:
        try:
            validate_host(host)
        except ValidationError as exc:
            raise ProvisioningError(exc.messages[0]) from exc
    if len(set(hosts)) != len(hosts):
        raise ProvisioningError("同一域名不能重复使用。")
    if Tenant.objects.filter(code=spec.code).exists() or schema_exists(spec.code):
        raise ProvisioningError(f"站点代码“{spec.code}”已被使用。")
    taken = Domain.objects.filter(domain__in=hosts).values_list("domain", flat=True)
    if taken:
        raise ProvisioningError(HOST_TAKEN.format(host=taken[0]))
    parent = check_parent(spec.kind, spec.parent)
    detail_fields = {f.name for f in Tenant._meta.fields}
    unknown = set(spec.details) - detail_fields
    if unknown:
        raise ProvisioningError(f"未知的站点字段：{', '.join(sorted(unknown))}。")
    return parent


def create_site(spec: SiteSpec, *, actor=None, progress=None):
    """Provision a site from the template. Atomic: on any failure nothing is left behind.

    ``progress`` is called with a short description before each step (for command-line output).
    """
    step = progress or (lambda message: None)
    parent = _validate(spec)
    step("导出模板")
    template_sql()  # fetched outside the transaction: pg_dump reads the committed template
    previous = connection.tenant
    try:
        with transaction.atomic():
            step("复制模板结构")
            connection.set_schema_to_public()
            _copy_template(spec.code)
            tenant = Tenant(
                schema_name=spec.code, code=spec.code, name=spec.name, kind=spec.kind, parent=parent, **spec.details
            )
            tenant.full_clean(exclude=["schema_name"])
            tenant.save()
            Domain.objects.create(domain=spec.domain, tenant=tenant, is_primary=True)
            for alias in spec.aliases:
                Domain.objects.create(domain=alias, tenant=tenant, is_primary=False)
            if spec.admin_domain:
                Domain.objects.create(domain=spec.admin_domain, tenant=tenant, is_primary=False, is_admin_host=True)
            connection.set_tenant(tenant)
            prepare_template()  # the copy is clean already; this also holds for a template migrated by hand
            step("建立首页、栏目、角色与审核流程")
            # The apps above build the site's content (cms: home, columns, role groups; review:
            # its chain). Inside this transaction: a receiver that fails leaves nothing behind.
            site_provisioned.send(sender=Tenant, tenant=tenant, spec=spec, kind=spec.kind, step=step)
            connection.set_schema_to_public()
            audit.record("site_created", actor=actor, tenant_code=tenant.code, target=tenant.name, kind=tenant.kind)
    except ValidationError as exc:
        raise ProvisioningError("；".join(exc.messages)) from exc
    finally:
        connection.set_tenant(previous)
    _leave_the_new_schemas_backend()
    return tenant


def _leave_the_new_schemas_backend():
    """Close the connection that built the site, unless a caller's transaction is still open.

    The PostgreSQL backend that replayed the template keeps every relation it created in its caches
    for as long as it lives (about 0.9 MB a site), and each replay's invalidations make it walk all of
    them: on one connection, the 550th site took 4.8 s against 1.4 s on a fresh one
    (``bench/provision.py``). Django opens a new connection at the next query.
    """
    if not connection.in_atomic_block:
        connection.close()


# --- Closing a site -----------------------------------------------------------------------------


def close_site(code, status, *, actor=None, reason=""):
    """Suspend (public sees a notice), archive (gone for good, kept for the record) or reopen a site."""
    if status not in SiteStatus.values:
        raise ProvisioningError(f"状态“{status}”无效，可选：{', '.join(SiteStatus.values)}。")
    tenant = Tenant.objects.sites().filter(code=code).first()
    if tenant is None:
        raise ProvisioningError(f"站点“{code}”不存在。")
    with transaction.atomic():
        old = tenant.status
        tenant.status = status
        tenant.save(update_fields=["status"])
        audit.record(
            "site_status", actor=actor, tenant_code=code, target=tenant.name, old=old, new=status, reason=reason
        )
        site_closed.send(sender=Tenant, tenant=tenant, old=old, new=status, reason=reason)
    return tenant
