"""The web office's screen for previewing and assigning themes (Wagtail admin, any site host)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from sites.models import SiteKind, Tenant

from .forms import AssignToKindForm, AssignToSiteForm, LockForm
from .models import SiteTheme, Theme
from .resolver import PREVIEW_PARAM
from .services import ThemeError, assign_theme, assign_theme_to_kind, is_web_office, set_lock


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
