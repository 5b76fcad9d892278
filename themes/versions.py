"""Theme versions: make one, preview it, apply it to a site, a kind of site or the cluster, roll back.

One set of rules for the admin screens and the command line (``apply_theme_version``):

* Every change to a theme is a new ``ThemeVersion``; the theme record then holds the newest
  version's values. A new version is not shown to the public until it is applied: the sites that
  followed the theme's newest version are first pinned to the version they showed.
* Applying sets ``SiteTheme.version`` site by site; a locked site keeps its theme and version when a
  kind or the whole cluster is changed, and is changed alone only with ``force``. Each saved
  assignment purges that site's page cache (``serving.pagecache.on_theme_change``) and
  ``site_look_changed`` asks the static output to write its files again.
* A rollback is a new version equal to an earlier one, applied where the theme is shown.
* Every change is in the audit log.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from serving.pagecache import purge_site
from sites import audit
from sites.access import is_web_office, roles_on
from sites.models import Role, SiteKind, Tenant

from .layouts import clean_layouts, clean_site_override, home_regions
from .models import (
    ACCENT_CONTRAST,
    MAIN_CONTRAST,
    SNAPSHOT_FIELDS,
    SiteHomeLayout,
    SiteTheme,
    Theme,
    ThemeVersion,
    contrast_ratio,
    palette_errors,
)
from .registry import TEMPLATE_SETS
from .services import ThemeError, _check_actor, latest_version
from .signals import site_look_changed


def check_snapshot(snapshot):
    """The colour rule and the layouts' limits for a whole version; returns it cleaned.

    Raises ValidationError with messages for people (网页设计规范: one main colour, at most three,
    each with the contrast the text on it needs).
    """
    errors = []
    colours = [snapshot.get("main_color"), snapshot.get("accent_color"), snapshot.get("second_accent_color")]
    colours += list(snapshot.get("extra_colours") or [])
    problems = palette_errors([c or "" for c in colours if c])
    errors += problems
    if not problems:
        main = snapshot["main_color"]
        if contrast_ratio(main, "#ffffff") < MAIN_CONTRAST:
            errors.append(
                f"主色与白色文字的对比度为 {contrast_ratio(main, '#ffffff'):.1f}:1，须达到 4.5:1（WCAG 2.1 AA）。"
            )
        for accent in [c for c in colours[1:] if c]:
            if contrast_ratio(accent, "#ffffff") < ACCENT_CONTRAST:
                errors.append(
                    f"辅助色 {accent} 与白色背景的对比度为 {contrast_ratio(accent, '#ffffff'):.1f}:1，须达到 3:1。"
                )
        if snapshot.get("second_accent_color") and not snapshot.get("accent_color"):
            errors.append("请先设置辅助色一。")
        if snapshot.get("extra_colours"):
            errors.append("颜色只有主色、辅助色一和辅助色二三处。")
    try:
        layouts = clean_layouts(snapshot.get("layouts"))
    except ValidationError as error:
        errors += error.messages
        layouts = None
    if snapshot.get("template_set") not in TEMPLATE_SETS:
        errors.append(f"模板套“{snapshot.get('template_set')}”不存在。")
    if not str(snapshot.get("name") or "").strip():
        errors.append("主题名称不能为空。")
    if errors:
        raise ValidationError(errors)
    cleaned = {field: snapshot.get(field, "") for field in SNAPSHOT_FIELDS}
    cleaned["layouts"] = layouts
    for field in ("main_color", "accent_color", "second_accent_color"):
        cleaned[field] = (cleaned[field] or "").lower()
    return cleaned


def _pin_followers(theme, version):
    """Sites that follow the theme's newest version keep showing ``version`` (no purge: unchanged)."""
    SiteTheme.objects.filter(theme=theme, version__isnull=True).update(version=version)
    if theme.is_default:
        unassigned = Tenant.objects.sites().exclude(pk__in=SiteTheme.objects.values("tenant_id"))
        SiteTheme.objects.bulk_create(
            [SiteTheme(tenant=tenant, theme=theme, version=version) for tenant in unassigned],
            ignore_conflicts=True,
        )


@transaction.atomic
def create_version(theme, changes, *, actor=None, comment="", request=None, restored_from=None):
    """A new version of ``theme``: its newest values with ``changes``; returns the ThemeVersion.

    Not shown anywhere until applied. Raises ThemeError (not allowed) or ValidationError (the
    colour rule, the layouts' limits).
    """
    _check_actor(actor)
    if restored_from is not None and restored_from.restored_from_id:
        restored_from = restored_from.restored_from  # always the original: one step, however many
    theme = Theme.objects.select_for_update().get(pk=theme.pk)
    previous = latest_version(theme)
    unknown = set(changes) - set(SNAPSHOT_FIELDS) - {"extra_colours"}
    if unknown:
        raise ThemeError(f"不能修改这些项：{'、'.join(sorted(unknown))}。")
    snapshot = check_snapshot({**previous.snapshot, **changes})
    _pin_followers(theme, previous)
    number = (theme.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    number = max(number, theme.version)  # the record's counter: the stylesheets' ?v=
    version = ThemeVersion.objects.create(
        theme=theme,
        number=number,
        snapshot=snapshot,
        comment=(comment or "").strip()[:200],
        author=actor if getattr(actor, "pk", None) else None,
        restored_from=restored_from,
    )
    # The record holds the newest values; update(): no site shows the record itself now, so
    # nothing is purged (the sites' pages change when the version is applied).
    Theme.objects.filter(pk=theme.pk).update(version=number, updated_at=timezone.now(), **snapshot)
    audit.record(
        "theme_rolled_back" if restored_from else "theme_version_created",
        actor=actor,
        tenant_code="",
        target=f"{theme.name} 第 {number} 版",
        request=request,
        theme=theme.slug,
        number=number,
        comment=version.comment,
        restored_from=restored_from.number if restored_from else None,
    )
    return version


def targets(scope, *, site=None, kind=None):
    """The sites a version goes to: one site, every site of a kind, or the whole cluster."""
    if scope == "site":
        if site is None:
            raise ThemeError("请选择站点。")
        return [site]
    if scope == "kind":
        if kind not in SiteKind.values:
            raise ThemeError("请选择站点类型。")
        return list(Tenant.objects.sites().filter(kind=kind).order_by("code"))
    if scope == "cluster":
        return list(Tenant.objects.sites().order_by("code"))
    raise ThemeError("请选择应用范围：一个站点、一类站点或整个站群。")


def apply_version(version, tenants, *, actor=None, force=False, request=None, progress=None, scope="site"):
    """Show ``version`` on ``tenants``; returns (changed, skipped) lists of tenants.

    A locked site is skipped unless ``force`` (only for a single site, as before). ``progress`` is
    called once per site (the command's progress bar).
    """
    _check_actor(actor)
    changed, skipped = [], []
    for tenant in tenants:
        if tenant.is_template or tenant.schema_name == "public":
            raise ThemeError("只能为站点指定主题。")
        with transaction.atomic():
            assignment = SiteTheme.objects.select_for_update().filter(tenant=tenant).first()
            same = assignment is not None and assignment.version_id == version.pk
            if assignment and assignment.locked and not same and not force:
                skipped.append(tenant)
                if progress:
                    progress(tenant, False)
                continue
            if same:
                changed.append(tenant)
                if progress:
                    progress(tenant, True)
                continue
            old = assignment.version if assignment else None
            if assignment is None:
                assignment = SiteTheme(tenant=tenant)
            assignment.theme = version.theme
            assignment.version = version
            assignment.assigned_by = actor if getattr(actor, "pk", None) else None
            assignment.save()  # purges this site's page cache (serving.pagecache.on_theme_change)
            audit.record(
                "theme_version_applied",
                actor=actor,
                tenant_code=tenant.code,
                target=tenant.name,
                request=request,
                theme=version.theme.slug,
                number=version.number,
                old=f"{old.theme.slug}:{old.number}" if old else "",
                scope=scope,
            )
            transaction.on_commit(
                lambda t=tenant: site_look_changed.send(Tenant, tenant=t, reason="theme_version"), robust=True
            )
        changed.append(tenant)
        if progress:
            progress(tenant, True)
    return changed, skipped


def sites_showing(theme):
    return list(Tenant.objects.sites().filter(theme_assignment__theme=theme).order_by("code"))


def rollback(version, *, actor=None, comment="", request=None, progress=None):
    """One step back to ``version``: a new version equal to it, shown wherever the theme is shown
    (locked sites keep theirs). Returns (new version, changed, skipped)."""
    _check_actor(actor)
    new = create_version(
        version.theme,
        {field: version.snapshot.get(field) for field in SNAPSHOT_FIELDS if field in version.snapshot},
        actor=actor,
        comment=comment or f"回滚到第 {version.number} 版",
        request=request,
        restored_from=version,
    )
    changed, skipped = apply_version(
        new, sites_showing(version.theme), actor=actor, request=request, progress=progress, scope="rollback"
    )
    return new, changed, skipped


def version_in_use(tenant):
    """The version the site shows (None before any theme exists)."""
    assignment = SiteTheme.objects.select_related("version", "theme").filter(tenant=tenant).first()
    if assignment is not None:
        return assignment.version or latest_version(assignment.theme)
    theme = Theme.objects.default()
    return latest_version(theme) if theme else None


def site_regions(tenant):
    """(regions of the version the site shows, the site's stored override)."""
    version = version_in_use(tenant)
    regions = home_regions(version.snapshot.get("layouts")) if version else []
    layout = SiteHomeLayout.objects.filter(tenant=tenant).first()
    return regions, (layout.regions if layout else {})


def may_vary_home(user, tenant):
    """The web office, and the site admin of ``tenant`` (of that site only)."""
    return is_web_office(user) or Role.SITE_ADMIN in roles_on(user, tenant)


def set_home_layout(tenant, override, *, actor=None, request=None):
    """A site admin's variation of the home regions; refused for locked regions (on the server).

    Raises ThemeError (who) or ValidationError (what). Purges the site's pages and refreshes its
    static output.
    """
    if actor is not None and not may_vary_home(actor, tenant):
        raise ThemeError("只有本站的站点管理员和网站办可以调整首页版块。")
    regions, _old = site_regions(tenant)
    cleaned = clean_site_override(regions, override)
    with transaction.atomic():
        layout, _ = SiteHomeLayout.objects.select_for_update().get_or_create(tenant=tenant)
        old = layout.regions
        layout.regions = cleaned
        layout.updated_by = actor if getattr(actor, "pk", None) else None
        layout.save()
        purge_site(tenant)
        audit.record(
            "theme_home_layout_changed",
            actor=actor,
            tenant_code=tenant.code,
            target=tenant.name,
            request=request,
            old=old,
            new=cleaned,
        )
        transaction.on_commit(lambda: site_look_changed.send(Tenant, tenant=tenant, reason="home_layout"), robust=True)
    return layout
