"""The web office's synonym list in the Wagtail admin, for superusers only.

The list changes what every site's readers find, so department staff must not edit it; the
model is shared (public schema), so the screen shows the same list on every site's admin.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from sites.access import SecurityAdminOnlyPolicy

from .models import SynonymGroup


class SynonymGroupViewSet(ModelViewSet):
    model = SynonymGroup
    icon = "search"
    menu_label = _("搜索同义词")
    add_to_settings_menu = True
    menu_order = 160
    form_fields = ["terms", "note"]
    list_display = ["__str__", "note", "updated_at"]
    search_fields = ["terms", "note"]


register_permission_policy(SynonymGroup, SecurityAdminOnlyPolicy(SynonymGroup))  # 三员分立: 安全管理员
synonym_viewset = SynonymGroupViewSet("search_synonyms")


@hooks.register("register_admin_viewset")
def register_synonym_viewset():
    return synonym_viewset
