"""Bringing a database up to date: public schema, template, every site, the public host."""

from django.conf import settings
from django.core.management import call_command
from django_tenants.utils import schema_context

from .deploy import deploy_sites
from .models import Domain, Tenant
from .provisioning import ensure_template, prepare_template, sync_role_permissions
from .roles import sync_administrator_permissions


def ensure_public_tenant():
    """The public schema's tenant row and host (the cluster directory)."""
    public, _ = Tenant.objects.get_or_create(
        schema_name=settings.PUBLIC_SCHEMA_NAME, defaults={"code": "public", "name": "政务网站集群"}
    )
    host = settings.CMS_CLUSTER_HOST
    if host and not Domain.objects.filter(domain=host).exists():
        Domain.objects.create(domain=host, tenant=public, is_primary=True)
    return public


def bootstrap(step=print, verbosity=0, allow_non_atomic=False, progress=True):
    """Migrate public, template and every site schema; idempotent, run on every deploy.

    The site schemas go through ``deploy_sites`` (graph loaded once, one query for every schema's
    history, each migration's SQL computed once); it raises ``DeployRefused`` or ``DeployFailed``.
    """
    step("迁移公共模式（public schema）")
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
    ensure_public_tenant()
    step("准备站点模板（首次约需 10 秒）")
    ensure_template(verbosity=verbosity)
    count = Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).count()
    step(f"迁移站点模式（模板与 {count - 1} 个站点）")
    report = deploy_sites(allow_non_atomic=allow_non_atomic, progress=progress, verbosity=verbosity)
    step(report.describe())
    with schema_context(settings.CMS_TEMPLATE_SCHEMA):
        prepare_template()
    sync_role_permissions()
    sync_administrator_permissions()
