"""The security administrator's 重置双因素验证 screen in the admin's 设置 menu (sites/policy/admin_views.py)."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from sites.access import is_security_admin

from . import admin_views


@hooks.register("register_admin_urls")
def register_reset_url():
    # Wrapped in Wagtail's require_admin_access; the view checks the security administrator again.
    return [
        path(
            "security/second-factor/",
            admin_views.SecondFactorResetView.as_view(),
            name="policy_reset_second_factor",
        )
    ]


class SecurityAdminMenuItem(MenuItem):
    def is_shown(self, request):
        return is_security_admin(request.user)


@hooks.register("register_settings_menu_item")
def register_reset_menu_item():
    return SecurityAdminMenuItem("重置双因素验证", reverse("policy_reset_second_factor"), icon_name="key", order=605)
