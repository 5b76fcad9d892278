"""The site admin's entries of the annual report: one form field per manual field of the template."""

from django import forms

from . import annual

BOOL_CHOICES = [("", "未填"), ("1", "是"), ("0", "否")]


def _form_field(field):
    label = f"{field.section}（{field.group}）{field.label}" if field.group else f"{field.section}：{field.label}"
    if field.unit:
        label += f"（单位：{field.unit}）"
    if field.kind == annual.INT:
        return forms.IntegerField(label=label, required=False, min_value=0)
    if field.kind == annual.DECIMAL:
        return forms.DecimalField(label=label, required=False, min_value=0, max_digits=12, decimal_places=2)
    if field.kind == annual.BOOL:
        return forms.TypedChoiceField(
            label=label, required=False, choices=BOOL_CHOICES, coerce=lambda value: value == "1", empty_value=None
        )
    if field.kind == annual.CHOICES:
        return forms.MultipleChoiceField(
            label=label,
            required=False,
            choices=[(choice, choice) for choice in annual.INNOVATION_CHOICES],
            widget=forms.CheckboxSelectMultiple,
        )
    return forms.CharField(label=label, required=False, max_length=200)


class ManualFieldsForm(forms.Form):
    """Initial values from ``report.manual``; ``values()`` gives what to store (JSON-safe)."""

    def __init__(self, *args, report=None, **kwargs):
        super().__init__(*args, **kwargs)
        stored = (report.manual or {}) if report is not None else {}
        for field in annual.MANUAL_FIELDS:
            self.fields[field.key] = _form_field(field)
            value = stored.get(field.key)
            if field.kind == annual.BOOL and value is not None:
                value = "1" if value else "0"
            self.fields[field.key].initial = value

    def values(self):
        result = {}
        for field in annual.MANUAL_FIELDS:
            value = self.cleaned_data.get(field.key)
            if value is None or value == "" or value == []:
                continue
            if field.kind == annual.DECIMAL:
                value = float(value)
            result[field.key] = value
        return result


class PeriodForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(
        label="月份",
        required=False,
        choices=[("", "全年")] + [(str(month), f"{month}月") for month in range(1, 13)],
        coerce=int,
        empty_value=None,
    )
    site = forms.CharField(label="站点", required=False, max_length=30)
