"""The web office's 哀悼模式 screen and the public stylesheet every page links (themes/mourning.py)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from sites.access import is_web_office
from sites.models import Tenant

from . import mourning
from .mourning import MourningPeriod


@require_GET
def stylesheet(request):
    """``/mourning.css`` on every site host: grey while a period covers the site, else empty."""
    css, max_age = mourning.stylesheet(getattr(request, "tenant", None))
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response


class MourningForm(forms.Form):
    scope = forms.ChoiceField(
        label="范围",
        choices=[("all", "全部站点（整个网站群）"), ("chosen", "选定的站点")],
        initial="all",
        widget=forms.RadioSelect,
    )
    sites = forms.ModelMultipleChoiceField(
        label="站点", queryset=Tenant.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    starts_at = forms.CharField(
        label="开始时间",
        required=False,
        help_text="北京时间，写成“2026-12-13 00:00”的形式；留空为立即开始",
        max_length=16,
    )
    ends_at = forms.CharField(
        label="结束时间",
        required=False,
        help_text="北京时间，如 2026-12-14 00:00；留空则直到手动关闭",
        max_length=16,
    )
    reason = forms.CharField(label="事由", required=False, max_length=100, help_text="如：全国哀悼日")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = Tenant.objects.sites().order_by("code")

    def _time(self, name):
        text = self.cleaned_data.get(name, "").strip()
        if not text:
            return None
        try:
            return mourning.parse_time(text)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    def clean_starts_at(self):
        return self._time("starts_at")

    def clean_ends_at(self):
        return self._time("ends_at")

    def clean(self):
        data = super().clean()
        if data.get("scope") == "chosen" and not data.get("sites"):
            self.add_error("sites", "请至少选择一个站点。")
        if not self.errors:
            try:
                mourning.check_span(data.get("starts_at") or timezone.now(), data.get("ends_at"))
            except ValidationError as error:
                self.add_error("ends_at", error.messages)
        return data


def mourning_admin(request):
    if not is_web_office(request.user):
        mourning.refuse(request.user, request, "哀悼模式")
        raise PermissionDenied
    form = MourningForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "schedule":
            form = MourningForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                mourning.schedule(
                    actor=request.user,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    sites=list(data["sites"]) if data["scope"] == "chosen" else None,
                    reason=data["reason"],
                    request=request,
                )
                messages.success(request, "已设置哀悼模式。")
                return redirect("themes_mourning:index")
        elif action == "off":
            mourning.switch_off(actor=request.user, request=request)
            messages.success(request, "已关闭哀悼模式：进行中的时段已结束，待开始的时段已取消。")
            return redirect("themes_mourning:index")
    now = timezone.now()
    periods = list(MourningPeriod.objects.prefetch_related("sites").select_related("created_by")[:50])
    rows = [{"period": period, "state": period.state(now)} for period in periods]
    context = {
        "form": form,
        "rows": rows,
        "active": any(row["state"] in ("进行中", "待开始") for row in rows),
        "now": mourning.format_time(now),
    }
    return TemplateResponse(request, "themes/mourning/index.html", context)
