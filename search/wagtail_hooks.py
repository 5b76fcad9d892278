"""The web office's synonym list in the Wagtail admin, for superusers only.

The list changes what every site's readers find, so department staff must not edit it; the
model is shared (public schema), so the screen shows the same list on every site's admin.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import SynonymGroup


class SuperuserOnlyPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        return bool(user and user.is_active and user.is_superuser)

    def user_has_any_permission(self, user, actions):
        return self.user_has_permission(user, None)

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(is_active=True, is_superuser=True)


class SynonymGroupViewSet(ModelViewSet):
    model = SynonymGroup
    icon = "search"
    menu_label = _("搜索同义词")
    add_to_settings_menu = True
    menu_order = 160
    form_fields = ["terms", "note"]
    list_display = ["__str__", "note", "updated_at"]
    search_fields = ["terms", "note"]


register_permission_policy(SynonymGroup, SuperuserOnlyPolicy(SynonymGroup))
synonym_viewset = SynonymGroupViewSet("search_synonyms")


@hooks.register("register_admin_viewset")
def register_synonym_viewset():
    return synonym_viewset
