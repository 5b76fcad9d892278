"""The web office's screen for previewing and assigning themes (Wagtail admin, any site host)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from sites.models import SiteKind, Tenant

from .forms import ApplyVersionForm, AssignToKindForm, AssignToSiteForm, LockForm, RollbackForm, VersionForm
from .layouts import HOME_BLOCK_TYPES, effective_regions
from .models import SiteTheme, Theme, ThemeVersion
from .resolver import PREVIEW_PARAM, PREVIEW_VERSION_PARAM
from .services import ThemeError, assign_theme, assign_theme_to_kind, is_web_office, latest_version, set_lock
from .versions import apply_version, create_version, may_vary_home, rollback, set_home_layout, site_regions, targets


def site_themes(request):
    if not is_web_office(request.user):
        raise PermissionDenied("只有网站办可以管理网站主题。")
    if request.method == "POST":
        _handle_post(request)
        return redirect(reverse("themes_admin:index"))
    assignments = {a.tenant_id: a for a in SiteTheme.objects.select_related("theme")}
    default = Theme.objects.default()
    sites = []
    for tenant in Tenant.objects.sites().prefetch_related("domains"):
        assignment = assignments.get(tenant.pk)
        sites.append(
            {
                "tenant": tenant,
                "theme": assignment.theme if assignment else default,
                "explicit": assignment is not None,
                "locked": bool(assignment and assignment.locked),
                "base_url": tenant.base_url(),
            }
        )
    return TemplateResponse(
        request,
        "themes/admin/site_themes.html",
        {
            "themes": Theme.objects.all(),
            "sites": sites,
            "kinds": SiteKind.choices,
            "preview_param": PREVIEW_PARAM,
            "site_form": AssignToSiteForm(initial={"site": getattr(request.tenant, "code", None)}),
            "kind_form": AssignToKindForm(),
        },
    )


def _handle_post(request):
    action = request.POST.get("action")
    try:
        if action == "assign_site":
            form = AssignToSiteForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                assign_theme(
                    data["theme"],
                    data["site"],
                    actor=request.user,
                    lock=True if data["lock"] else None,
                    force=data["force"],
                    request=request,
                )
                messages.success(request, f"已将“{data['site'].name}”的主题设为“{data['theme'].name}”。")
                return
        elif action == "assign_kind":
            form = AssignToKindForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                changed, skipped = assign_theme_to_kind(
                    data["theme"], data["kind"], actor=request.user, request=request
                )
                text = f"已为 {len(changed)} 个{SiteKind(data['kind']).label}设置主题“{data['theme'].name}”。"
                if skipped:
                    text += f"以下站点已锁定，未更换：{'、'.join(t.name for t in skipped)}。"
                messages.success(request, text)
                return
        elif action == "lock":
            form = LockForm(request.POST)
            if form.is_valid():
                set_lock(form.cleaned_data["site"], form.cleaned_data["locked"], actor=request.user, request=request)
                state = "锁定" if form.cleaned_data["locked"] else "解除锁定"
                messages.success(request, f"已{state}“{form.cleaned_data['site'].name}”的主题。")
                return
        else:
            messages.error(request, "未知的操作。")
            return
        messages.error(request, "提交的内容有误：" + "；".join(e for errs in form.errors.values() for e in errs))
    except ThemeError as exc:
        messages.error(request, str(exc))


# --- Versions: history, new version, preview, apply, rollback (themes/versions.py) ---------------


def _web_office(request):
    if not is_web_office(request.user):
        raise PermissionDenied("只有网站办可以管理网站主题。")


def _usage(theme):
    """{version id: [site names]} for the sites showing each version of ``theme``."""
    usage = {}
    for assignment in SiteTheme.objects.filter(theme=theme).select_related("tenant"):
        usage.setdefault(assignment.version_id, []).append(assignment.tenant.name)
    return usage


def theme_versions(request, pk):
    _web_office(request)
    theme = get_object_or_404(Theme, pk=pk)
    latest_version(theme)
    usage = _usage(theme)
    versions = [
        {"version": version, "sites": usage.get(version.pk, [])}
        for version in theme.versions.select_related("author", "restored_from")
    ]
    return TemplateResponse(
        request,
        "themes/admin/versions.html",
        {"theme": theme, "versions": versions, "rollback_form": RollbackForm()},
    )


def new_version(request, pk):
    _web_office(request)
    theme = get_object_or_404(Theme, pk=pk)
    base = latest_version(theme)
    form = VersionForm(request.POST or None, version=base)
    if request.method == "POST" and form.is_valid():
        try:
            version = create_version(
                theme, form.changes, actor=request.user, comment=form.cleaned_data["comment"], request=request
            )
        except (ThemeError, ValidationError) as error:
            messages.error(request, "；".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, f"已保存“{theme.name}”第 {version.number} 版。请先预览，再应用到站点。")
            return redirect(reverse("themes_admin:preview", args=[version.pk]))
    return TemplateResponse(request, "themes/admin/version_form.html", {"theme": theme, "base": base, "form": form})


def preview_version(request, pk):
    """The version on a site of the cluster, at desktop and phone width, before it is applied.

    The frame shows the site's own page with ``?theme=…&theme_version=…``: a preview only the
    signed-in web office gets, which the page cache neither serves nor stores. A site's pages may
    be framed by pages of their own host only (``frame-ancestors 'self'``), so a site other than
    the one this admin is on is previewed from that site's admin.
    """
    _web_office(request)
    version = get_object_or_404(ThemeVersion.objects.select_related("theme"), pk=pk)
    sites = list(Tenant.objects.sites().prefetch_related("domains"))
    here = getattr(request, "tenant", None)
    code = request.GET.get("site") or getattr(here, "code", "")
    site = next((s for s in sites if s.code == code), None)
    path = request.GET.get("path") or "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        path = "/"
    query = urlencode({PREVIEW_PARAM: version.theme.slug, PREVIEW_VERSION_PARAM: version.number})
    frame_url = f"{path}{'&' if '?' in path else '?'}{query}"
    elsewhere = None
    if site is not None and (here is None or site.pk != here.pk):
        base = site.base_url()
        if base:
            elsewhere = f"{base}{reverse('themes_admin:preview', args=[version.pk])}?{urlencode({'site': site.code, 'path': path})}"
    return TemplateResponse(
        request,
        "themes/admin/version_preview.html",
        {
            "version": version,
            "theme": version.theme,
            "sites": sites,
            "site": site,
            "path": path,
            "frame_url": frame_url,
            "elsewhere": elsewhere,
            "apply_form": ApplyVersionForm(initial={"scope": "site", "site": getattr(site, "code", None)}),
            "kinds": SiteKind.choices,
        },
    )


def apply_version_view(request, pk):
    _web_office(request)
    version = get_object_or_404(ThemeVersion.objects.select_related("theme"), pk=pk)
    if request.method != "POST":
        return redirect(reverse("themes_admin:preview", args=[version.pk]))
    form = ApplyVersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "提交的内容有误：" + "；".join(e for errs in form.errors.values() for e in errs))
        return redirect(reverse("themes_admin:preview", args=[version.pk]))
    data = form.cleaned_data
    try:
        tenants = targets(data["scope"], site=data.get("site"), kind=data.get("kind"))
        changed, skipped = apply_version(
            version,
            tenants,
            actor=request.user,
            force=data["force"] and data["scope"] == "site",
            request=request,
            scope=data["scope"],
        )
    except ThemeError as error:
        messages.error(request, str(error))
        return redirect(reverse("themes_admin:preview", args=[version.pk]))
    text = f"已将“{version.theme.name}”第 {version.number} 版应用到 {len(changed)}/{len(tenants)} 个站点。"
    if skipped:
        text += f"以下 {len(skipped)} 个站点已锁定主题，未更换：{'、'.join(t.name for t in skipped)}。"
    messages.success(request, text)
    return redirect(reverse("themes_admin:versions", args=[version.theme_id]))


def rollback_view(request, pk):
    _web_office(request)
    version = get_object_or_404(ThemeVersion.objects.select_related("theme"), pk=pk)
    if request.method != "POST":
        return redirect(reverse("themes_admin:versions", args=[version.theme_id]))
    form = RollbackForm(request.POST)
    form.is_valid()
    try:
        new, changed, skipped = rollback(
            version, actor=request.user, comment=form.cleaned_data.get("comment", ""), request=request
        )
    except (ThemeError, ValidationError) as error:
        messages.error(request, "；".join(getattr(error, "messages", [str(error)])))
    else:
        text = (
            f"已回滚到第 {version.number} 版（保存为第 {new.number} 版），"
            f"{len(changed)} 个使用“{version.theme.name}”的站点已恢复。"
        )
        if skipped:
            text += f"以下站点已锁定主题，未更换：{'、'.join(t.name for t in skipped)}。"
        messages.success(request, text)
    return redirect(reverse("themes_admin:versions", args=[version.theme_id]))


# --- A site's home regions, where the web office unlocked them -----------------------------------


def _posted_override(request, regions):
    """What the form sent, for every region of the version: a locked region sent anyway (a forged
    form) reaches the check and is refused there, on the server."""
    override = {}
    for region in regions:
        key = region["key"]
        if f"region-{key}-present" not in request.POST:
            continue
        entry = {"blocks": request.POST.getlist(f"region-{key}-blocks")}
        count = request.POST.get(f"region-{key}-count", "").strip()
        if count:
            entry["count"] = count
        override[key] = entry
    return override


def home_layout_view(request):
    tenant = getattr(request, "tenant", None)
    if (
        tenant is None
        or getattr(tenant, "schema_name", "public") == "public"
        or not may_vary_home(request.user, tenant)
    ):
        raise PermissionDenied("只有本站的站点管理员和网站办可以调整首页版块。")
    regions, override = site_regions(tenant)
    if request.method == "POST":
        try:
            set_home_layout(tenant, _posted_override(request, regions), actor=request.user, request=request)
        except (ThemeError, ValidationError) as error:
            messages.error(request, "；".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, "已保存首页版块设置。")
        return redirect(reverse("themes_admin:home_layout"))
    shown = effective_regions(regions, override)
    rows = []
    for region, current in zip(regions, shown, strict=True):
        rows.append(
            {
                "region": region,
                "current": current,
                "choices": [(b, HOME_BLOCK_TYPES.get(b, b)) for b in region["blocks"]],
                "labels": [HOME_BLOCK_TYPES.get(b, b) for b in current["blocks"]],
            }
        )
    return TemplateResponse(
        request,
        "themes/admin/home_layout.html",
        {"tenant": tenant, "rows": rows, "web_office": is_web_office(request.user)},
    )
