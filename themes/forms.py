from django import forms
from django.utils.translation import gettext_lazy as _

from sites.models import SiteKind, Tenant

from .models import Theme


class AssignToSiteForm(forms.Form):
    theme = forms.ModelChoiceField(Theme.objects.all(), label=_("主题"), empty_label=None)
    site = forms.ModelChoiceField(Tenant.objects.sites(), label=_("站点"), empty_label=None, to_field_name="code")
    lock = forms.BooleanField(label=_("同时锁定主题"), required=False)
    force = forms.BooleanField(label=_("站点已锁定时仍然更换"), required=False)


class AssignToKindForm(forms.Form):
    theme = forms.ModelChoiceField(Theme.objects.all(), label=_("主题"), empty_label=None)
    kind = forms.ChoiceField(label=_("站点类型"), choices=SiteKind.choices)


class LockForm(forms.Form):
    site = forms.ModelChoiceField(Tenant.objects.sites(), label=_("站点"), to_field_name="code")
    locked = forms.BooleanField(label=_("锁定"), required=False)
