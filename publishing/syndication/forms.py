from django import forms
from django.utils.translation import gettext_lazy as _

from .validity import validity_choices


class OfferForm(forms.Form):
    target = forms.ChoiceField(label=_("报送到"), help_text=_("上级门户中接受信息报送的栏目"))
    note = forms.CharField(
        label=_("报送说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = choices

    def target_parts(self):
        code, column_id = self.cleaned_data["target"].split(":", 1)
        return code, int(column_id)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("不采用理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("必填，报送单位可以看到"),
    )


class ValidityForm(forms.Form):
    validity = forms.ChoiceField(label=_("有效性"))
    reason = forms.CharField(
        label=_("变更说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["validity"].choices = validity_choices()
