"""Forms of the review chain: what a reviewer must say with each action."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DisclosureAttribute, Step


class ApproveForm(forms.Form):
    comment = forms.CharField(label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RejectForm(forms.Form):
    # 退回必须说明理由: the editor has to know what to change.
    comment = forms.CharField(
        label=_("退回理由"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写退回理由。")},
    )


class ConfidentialityForm(forms.Form):
    """保密审查: the officer records 公开属性 and 审查意见 whatever the decision."""

    disclosure_attribute = forms.ChoiceField(
        label=_("公开属性"),
        choices=DisclosureAttribute.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择公开属性。")},
    )
    opinion = forms.CharField(
        label=_("审查意见"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写审查意见。")},
    )


class ConfidentialityApproveForm(ConfidentialityForm):
    def clean_disclosure_attribute(self):
        value = self.cleaned_data["disclosure_attribute"]
        if value == DisclosureAttribute.NOT_PUBLIC:
            raise forms.ValidationError(_("不予公开的信息不能通过发布，请改为“退回修改”。"))
        return value


def form_for(step, action):
    """The form class Wagtail's action views (and ``chain.act``) validate the action's data with."""
    if step == Step.CONFIDENTIALITY_REVIEW:
        return ConfidentialityApproveForm if action == "approve" else ConfidentialityForm
    return ApproveForm if action == "approve" else RejectForm


class ForcePublishForm(forms.Form):
    reason = forms.CharField(
        label=_("强制发布理由"),
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=4,
        error_messages={"required": _("强制发布必须填写理由。"), "min_length": _("请把理由写清楚（至少 4 个字）。")},
    )


class AfterReviewForm(forms.Form):
    opinion = forms.CharField(
        label=_("事后审查意见"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写事后审查意见。")},
    )


class PeriodForm(forms.Form):
    """``?from=YYYY-MM-DD&to=YYYY-MM-DD`` of the audit export (both days included)."""

    date_from = forms.DateField(label=_("起始日期"), input_formats=["%Y-%m-%d"])
    date_to = forms.DateField(label=_("截止日期"), input_formats=["%Y-%m-%d"])

    def __init__(self, data=None, **kwargs):
        if data is not None:
            data = {"date_from": data.get("from", ""), "date_to": data.get("to", "")}
        super().__init__(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return cleaned
