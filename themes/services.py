"""Assigning themes to sites: one set of rules for the admin screen and the command line."""

from django.db import transaction

from sites import audit
from sites.access import is_web_office
from sites.models import Tenant

from .models import SiteTheme, Theme, ThemeVersion, snapshot_of


class ThemeError(Exception):
    """A theme change that is not allowed or not possible; the message is for people."""


def _check_actor(actor):
    if actor is not None and not is_web_office(actor):
        raise ThemeError("只有网站办可以更换网站主题。")


def theme_of(tenant):
    assignment = SiteTheme.objects.select_related("theme").filter(tenant=tenant).first()
    return assignment.theme if assignment else Theme.objects.default()


def latest_version(theme):
    """The theme's newest version; the first one is made from the record when there is none."""
    version = theme.versions.order_by("-number").first()
    if version is None:
        version = ThemeVersion.objects.create(
            theme=theme, number=theme.version, snapshot=snapshot_of(theme), comment="初始版本"
        )
    return version


def assign_theme(theme, tenant, *, actor=None, lock=None, force=False, request=None):
    """Give ``tenant`` the ``theme``; a locked site is changed only with ``force``.

    ``lock``: True/False sets the lock, None leaves it as it is.
    """
    _check_actor(actor)
    if tenant.is_template or tenant.schema_name == "public":
        raise ThemeError("只能为站点指定主题。")
    with transaction.atomic():
        assignment = SiteTheme.objects.select_for_update().filter(tenant=tenant).first()
        old = assignment.theme.slug if assignment else ""
        if assignment and assignment.locked and assignment.theme_id != theme.pk and not force:
            raise ThemeError(f"站点“{tenant.name}”的主题已锁定，请先解除锁定。")
        if assignment is None:
            assignment = SiteTheme(tenant=tenant, theme=theme)
        if assignment.theme_id != theme.pk or assignment.version_id is None or assignment.pk is None:
            assignment.version = latest_version(theme)  # a theme is given at its newest version
        assignment.theme = theme
        if lock is not None:
            assignment.locked = lock
        assignment.assigned_by = actor if getattr(actor, "pk", None) else None
        assignment.save()
        audit.record(
            "theme_assigned",
            actor=actor,
            tenant_code=tenant.code,
            target=tenant.name,
            request=request,
            old=old,
            new=theme.slug,
            locked=assignment.locked,
        )
    return assignment


def assign_theme_to_kind(theme, kind, *, actor=None, request=None):
    """Give every site of ``kind`` the ``theme``, skipping locked sites. Returns (changed, skipped)."""
    _check_actor(actor)
    changed, skipped = [], []
    for tenant in Tenant.objects.sites().filter(kind=kind):
        assignment = SiteTheme.objects.filter(tenant=tenant).first()
        if assignment and assignment.locked:
            skipped.append(tenant)
            continue
        assign_theme(theme, tenant, actor=actor, request=request)
        changed.append(tenant)
    return changed, skipped


def set_lock(tenant, locked, *, actor=None, request=None):
    _check_actor(actor)
    assignment = SiteTheme.objects.filter(tenant=tenant).first()
    if assignment is None:
        theme = Theme.objects.default()
        if theme is None:
            raise ThemeError("没有默认主题，请先为站点指定主题。")
        return assign_theme(theme, tenant, actor=actor, lock=locked, request=request)
    assignment.locked = locked
    assignment.save(update_fields=["locked", "assigned_at"])
    audit.record(
        "theme_locked" if locked else "theme_unlocked",
        actor=actor,
        tenant_code=tenant.code,
        target=tenant.name,
        request=request,
    )
    return assignment
