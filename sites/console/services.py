"""What the web office's console changes, as small functions the screens call (views stay thin).

Every function here validates with the same rules and messages as the commands (``create_site``,
``close_site``: ``sites/provisioning.py``), writes one ``AuditEvent`` and saves through the models,
so the purge receivers that listen to ``Tenant`` and ``Domain`` saves (``serving/pagecache.py``,
the host map in ``sites/signal_handlers.py``) drop whatever showed the old record.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django_tenants.utils import schema_context
from wagtail.models import Site

from .. import audit
from ..access import is_web_office, roles_on
from ..models import Domain, Role, SiteStatus, Tenant
from ..provisioning import ProvisioningError, check_new_host, check_parent, close_site, public_port

# The site record the web office edits (fields of sites.models.Tenant); code and schema never change.
RECORD_FIELDS = [
    "name",
    "short_name",
    "kind",
    "parent",
    "site_identifier",
    "icp_number",
    "police_record_number",
    "police_record_url",
    "sponsor",
    "organizer",
    "contact_phone",
    "contact_address",
    "org_code",
    "admins_may_edit_contact",
]
# What a site's own admins may change when the web office allows it (页脚联系方式).
CONTACT_FIELDS = ["contact_phone", "contact_address"]


def on_public_schema(change):
    """Run ``change`` on the public schema: django-tenants refuses to save a Tenant from another
    site's schema, and the console is used from any site's admin."""

    @functools.wraps(change)
    def wrapped(*args, **kwargs):
        with schema_context(settings.PUBLIC_SCHEMA_NAME):
            return change(*args, **kwargs)

    return wrapped


def _shown(value):
    if isinstance(value, Tenant):
        return value.code
    return value


def _save_fields(tenant, values, fields, *, actor, request, action):
    """Set ``fields`` from ``values``, validate as the model does, save and audit what changed."""
    changes = {}
    for name in fields:
        if name not in values:
            continue
        old, new = getattr(tenant, name), values[name]
        if isinstance(new, str):
            new = new.strip()
        if old != new:
            changes[name] = {"old": _shown(old), "new": _shown(new)}
            setattr(tenant, name, new)
    if not changes:
        return {}
    try:
        tenant.full_clean(exclude=["schema_name"], validate_unique=False)
    except ValidationError as exc:
        tenant.refresh_from_db()
        raise ProvisioningError("；".join(exc.messages)) from exc
    with transaction.atomic():
        tenant.save(update_fields=[*changes])
        if "name" in changes:
            # The Wagtail Site of the schema carries the name too (the admin's header, feeds).
            with schema_context(tenant.schema_name):
                Site.objects.update(site_name=tenant.name)
        audit.record(action, actor=actor, request=request, tenant_code=tenant.code, target=tenant.name, changes=changes)
    return changes


@on_public_schema
def update_site_record(tenant, values, *, actor=None, request=None):
    """The web office edits a site's record; ``values`` maps field names to new values.

    ``parent`` may be a Tenant, a site code or None; it is checked by the same rule as creation
    (and may not make the site its own ancestor). Returns the changes ({field: {old, new}}).
    """
    values = dict(values)
    if "parent" in values or "kind" in values:
        parent = values.get("parent", tenant.parent)
        code = parent.code if isinstance(parent, Tenant) else (parent or None)
        values["parent"] = check_parent(values.get("kind", tenant.kind), code, site=tenant)
    return _save_fields(tenant, values, RECORD_FIELDS, actor=actor, request=request, action="site_record_changed")


def is_site_admin(user, tenant):
    return Role.SITE_ADMIN in roles_on(user, tenant)


def may_edit_contact(user, tenant):
    """A site admin may edit the footer's contact data of their own site when the web office allows it."""
    if is_web_office(user):
        return True
    return bool(tenant.admins_may_edit_contact and is_site_admin(user, tenant))


@on_public_schema
def update_contact(tenant, values, *, actor, request=None):
    """The site admin's screen: phone and address only, and only when ``may_edit_contact``."""
    if not may_edit_contact(actor, tenant):
        raise PermissionError("not allowed to edit this site's contact data")
    return _save_fields(tenant, values, CONTACT_FIELDS, actor=actor, request=request, action="site_contact_changed")


@on_public_schema
def add_domain(tenant, host, *, admin_host=False, actor=None, request=None):
    """A public alias or the admin-only host (内网采编), refused as ``create_site`` refuses a host."""
    host = check_new_host(host)
    with transaction.atomic():
        domain = Domain.objects.create(domain=host, tenant=tenant, is_primary=False, is_admin_host=admin_host)
        audit.record(
            "domain_added",
            actor=actor,
            request=request,
            tenant_code=tenant.code,
            target=host,
            admin_host=admin_host,
        )
    return domain


@on_public_schema
def remove_domain(tenant, domain_id, *, actor=None, request=None):
    """Remove an alias or the admin host; the primary host stays (make another one primary first)."""
    domain = tenant.domains.filter(pk=domain_id).first()
    if domain is None:
        raise ProvisioningError("该域名不属于本站。")
    if domain.is_primary:
        raise ProvisioningError(f"“{domain.domain}”是主域名，不能删除：请先把另一个公开域名设为主域名。")
    with transaction.atomic():
        domain.delete()
        audit.record(
            "domain_removed",
            actor=actor,
            request=request,
            tenant_code=tenant.code,
            target=domain.domain,
            admin_host=domain.is_admin_host,
        )
    return domain


@on_public_schema
def make_primary(tenant, domain_id, *, actor=None, request=None):
    """Make a public alias the primary host: links, feeds and Wagtail's Site record follow it."""
    domain = tenant.domains.filter(pk=domain_id).first()
    if domain is None:
        raise ProvisioningError("该域名不属于本站。")
    if domain.is_admin_host:
        raise ProvisioningError("后台专用域名不能作为主域名。")
    if domain.is_primary:
        return domain
    old = tenant.primary_domain
    with transaction.atomic():
        if old is not None:
            old.is_primary = False
            old.save(update_fields=["is_primary"])
        domain.is_primary = True
        domain.save(update_fields=["is_primary"])
        with schema_context(tenant.schema_name):
            Site.objects.update(hostname=domain.domain, port=public_port())
        audit.record(
            "domain_primary_changed",
            actor=actor,
            request=request,
            tenant_code=tenant.code,
            target=domain.domain,
            old=old.domain if old else "",
        )
    return domain


STATUS_ACTIONS = {
    "suspend": SiteStatus.SUSPENDED,
    "reopen": SiteStatus.ACTIVE,
    "archive": SiteStatus.ARCHIVED,
}


@on_public_schema
def change_status(tenant, action, *, actor=None, reason=""):
    """暂停 / 重新开放 / 归档 through ``close_site`` (the command's service: same audit and signal)."""
    if action not in STATUS_ACTIONS:
        raise ProvisioningError("未知的操作。")
    return close_site(tenant.code, STATUS_ACTIONS[action], actor=actor, reason=reason)
