"""Wagtail's 用户 screens without the fields that would grant powers (三员分立).

The system administrator manages accounts (name, e-mail, password, active) through Wagtail's user
screens; roles are the security administrator's, granted through ``sites.roles`` (the site member
screen, ``grant_role``), and a superuser exists only through ``manage.py break_glass``. Wagtail's
forms offer both "administrator" (is_superuser) and the groups: they are removed from the forms,
so neither can be set or changed there by anybody, whatever the request posts.
"""

from django import forms
from django.forms.boundfield import BoundField
from wagtail.users import forms as wagtail_user_forms

POWER_FIELDS = ("is_superuser", "groups")


def _without_power_fields(form_class):
    original_init = form_class.__init__
    if getattr(original_init, "_cms_without_power_fields", False):
        return

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        for name in POWER_FIELDS:
            self.fields.pop(name, None)

    __init__._cms_without_power_fields = True
    form_class.__init__ = __init__
    original_getitem = form_class.__getitem__

    def __getitem__(self, name):
        # Wagtail's user templates name both fields (``form.groups``): with the field gone the
        # template would print "None". An empty hidden input outside the form's fields renders
        # nothing visible, and what it posts is never read.
        if name in POWER_FIELDS and name not in self.fields:
            return BoundField(self, forms.CharField(required=False, label="", widget=forms.HiddenInput), f"_{name}")
        return original_getitem(self, name)

    form_class.__getitem__ = __getitem__


_without_power_fields(wagtail_user_forms.UserCreationForm)
_without_power_fields(wagtail_user_forms.UserEditForm)
