"""Forms of the 互动交流 admin screens. They only shape input: every rule is checked again in
interaction/services.py, whose Chinese errors the views show as admin messages."""

import datetime

from django import forms
from django.utils import timezone

from sites.models import Tenant

from . import workdays
from .models import (
    HARD_LIMIT,
    MAX_EXTENSION_WORKDAYS,
    OUTCOME_REASONS,
    ApplicationStatus,
    Deadline,
    Kind,
    Outcome,
    Status,
    WorkdayOverride,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date_field(label, required=True, initial=None):
    return forms.DateField(
        label=label,
        required=required,
        initial=initial or timezone.localdate,
        widget=DATE_WIDGET,
        input_formats=["%Y-%m-%d"],
        error_messages={"required": f"请填写{label}。", "invalid": "日期格式应为 YYYY-MM-DD。"},
    )


def _text(label, max_length, required=True, widget=None):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=widget,
        error_messages={
            "required": f"请填写{label}。",
            "max_length": f"{label}不能超过 {max_length} 个字。",
        },
    )


# --- Lists -----------------------------------------------------------------------------------------


class MessageFilterForm(forms.Form):
    q = forms.CharField(label="查询码或标题", required=False, max_length=100)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *Status.choices])
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *Kind.choices])
    timing = forms.ChoiceField(
        label="时限",
        required=False,
        choices=[("", "全部"), ("overdue", "已超期"), ("due_soon", "3 个工作日内到期")],
    )
    site = forms.ModelChoiceField(label="站点", required=False, queryset=Tenant.objects.none(), empty_label="全部站点")

    def __init__(self, *args, all_sites=False, **kwargs):
        super().__init__(*args, **kwargs)
        if all_sites:
            self.fields["site"].queryset = Tenant.objects.sites().order_by("name")
        else:
            del self.fields["site"]


class ApplicationFilterForm(MessageFilterForm):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *ApplicationStatus.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["kind"]
        self.fields["q"].label = "查询码或内容"


# --- Message actions -------------------------------------------------------------------------------


class ForwardForm(forms.Form):
    to_tenant = forms.ModelChoiceField(
        label="转办给",
        queryset=Tenant.objects.none(),
        error_messages={"required": "请选择承办站点。", "invalid_choice": "请选择正在运行的站点。"},
    )
    note = _text("转办意见", 500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, message=None, **kwargs):
        super().__init__(*args, **kwargs)
        sites = Tenant.objects.serving().order_by("name")
        if message is not None:
            sites = sites.exclude(pk=message.handling_tenant_id)
        self.fields["to_tenant"].queryset = sites


class NoteForm(forms.Form):
    note = _text("督办意见", 500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class InvalidForm(forms.Form):
    reason = _text("不予受理理由", 200, widget=forms.Textarea(attrs={"rows": 2}))


class ReplyForm(forms.Form):
    answered_by = _text("答复单位", 100, required=False)
    text = _text("答复内容", 5000, widget=forms.Textarea(attrs={"rows": 8}))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="审核结论",
        choices=[("approve", "通过"), ("reject", "退回")],
        error_messages={"required": "请选择通过或退回。"},
    )
    comment = _text("审核意见", 500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", "退回答复时请填写审核意见。")
        return data


# --- Application actions ---------------------------------------------------------------------------


class DateForm(forms.Form):
    on = _date_field("日期")


class ConfirmReceiptForm(forms.Form):
    on = _date_field("收到申请日期")


class CorrectionForm(forms.Form):
    on = _date_field("告知补正日期")
    note = _text("需要补正的事项和期限", 2000, widget=forms.Textarea(attrs={"rows": 3}))


class ThirdPartyForm(forms.Form):
    on = _date_field("征求意见日期")
    third_party = _text("第三方", 200)


class EndThirdPartyForm(forms.Form):
    on = _date_field("收到第三方意见日期")


class ExtendForm(forms.Form):
    on = _date_field("延期日期")
    days = forms.IntegerField(
        label="延长工作日",
        min_value=1,
        max_value=MAX_EXTENSION_WORKDAYS,
        initial=MAX_EXTENSION_WORKDAYS,
        error_messages={
            "required": "请填写延长的工作日数。",
            "invalid": "请填写整数。",
            "min_value": "至少延长 1 个工作日。",
            "max_value": f"延长期限最长不超过 {MAX_EXTENSION_WORKDAYS} 个工作日。",
        },
    )
    reason = _text("延期理由", 500, widget=forms.Textarea(attrs={"rows": 2}))
    approved_by = _text("批准人（机构负责人）", 100)


def reason_choices():
    choices = [("", "（不需要理由的答复类型不选）")]
    for outcome, reasons in OUTCOME_REASONS.items():
        choices.append((outcome.label, [(value, label) for value, label in reasons]))
    return choices


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label="答复类型", choices=[("", "请选择"), *Outcome.choices], error_messages={"required": "请选择答复类型。"}
    )
    reason = forms.ChoiceField(label="法定理由", required=False, choices=reason_choices)
    detail = _text("答复说明", 5000, required=False, widget=forms.Textarea(attrs={"rows": 6}))

    def clean(self):
        data = super().clean()
        outcome, reason = data.get("outcome"), data.get("reason")
        if outcome and Outcome(outcome) in OUTCOME_REASONS:
            if reason not in dict(OUTCOME_REASONS[Outcome(outcome)]):
                self.add_error("reason", f"“{Outcome(outcome).label}”须选择该类型下的法定理由。")
        return data


# --- Settings --------------------------------------------------------------------------------------


class DeadlinesForm(forms.Form):
    """One field per kind; the model's validators (1–60 working days) and the 3-month cap apply."""

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        for kind in Kind:
            self.fields[kind.value] = forms.IntegerField(
                label=f"{kind.label}（工作日）",
                min_value=1,
                max_value=60,
                initial=Deadline.for_site(tenant, kind),
                error_messages={
                    "required": "请填写办理时限。",
                    "invalid": "请填写整数。",
                    "min_value": "办理时限至少 1 个工作日。",
                    "max_value": "办理时限不能超过 60 个工作日（任何留言都须在 3 个月内答复）。",
                },
            )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for kind in Kind:
            days = data.get(kind.value)
            if days and workdays.add_workdays(today, days) > today + HARD_LIMIT:
                self.add_error(kind.value, "办理时限超过 3 个月：国办秘函〔2019〕19号 规定留言须在 3 个月内答复。")
        return data

    def save(self, user=None):
        changed = []
        for kind in Kind:
            days = self.cleaned_data[kind.value]
            row, created = Deadline.objects.get_or_create(
                tenant=self.tenant, kind=kind, defaults={"working_days": days}
            )
            if created or row.working_days != days:
                row.working_days = days
                row.full_clean()
                row.save()
                changed.append(f"{kind.label} {days}")
        return changed


class WorkdayOverrideForm(forms.ModelForm):
    date = _date_field("日期", initial=lambda: None)
    is_workday = forms.TypedChoiceField(
        label="这一天是",
        choices=[("1", "工作日（调休上班）"), ("0", "休息日（放假）")],
        coerce=lambda value: value == "1",
        error_messages={"required": "请选择工作日或休息日。"},
    )

    class Meta:
        model = WorkdayOverride
        fields = ["date", "is_workday", "note"]

    def clean_date(self):
        day = self.cleaned_data["date"]
        if WorkdayOverride.objects.filter(date=day).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("这一天已有调整，请先删除原来的调整。")
        return day


class StatisticsForm(forms.Form):
    start = _date_field("开始日期", initial=lambda: datetime.date(timezone.localdate().year, 1, 1))
    end = _date_field("结束日期")
    site = forms.ModelChoiceField(label="站点", required=False, queryset=Tenant.objects.none(), empty_label="本站")

    def __init__(self, *args, all_sites=False, **kwargs):
        super().__init__(*args, **kwargs)
        if all_sites:
            self.fields["site"].queryset = Tenant.objects.sites().order_by("name")
        else:
            del self.fields["site"]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "结束日期不能早于开始日期。")
        return data
