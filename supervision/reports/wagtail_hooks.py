"""The reports' place in the admin: a 统计与年报 menu for the web office and site admins only."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from . import urls
from .access import can_see_reports


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path(
            "supervision/reports/", include((urls.urlpatterns, "supervision_reports"), namespace="supervision_reports")
        )
    ]


class ReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_reports(request.user)


class ReportsSubmenu(SubmenuMenuItem):
    def is_shown(self, request):
        return can_see_reports(request.user)


@hooks.register("register_admin_menu_item")
def register_reports_menu():
    menu = Menu(
        items=[
            ReportsMenuItem("发稿量统计", reverse("supervision_reports:figures"), icon_name="table", order=10),
            ReportsMenuItem(
                "网站年度报表", reverse("supervision_reports:annual_index"), icon_name="doc-full", order=20
            ),
        ]
    )
    return ReportsSubmenu("统计与年报", menu, icon_name="table", order=260)
