"""The console's URLs, menu entries and home panel in the Wagtail admin (imported by sites/wagtail_hooks.py).

Menus and the panel only decide what is shown; each view checks again (views.py).
"""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from ..access import current_site, is_web_office, may_read_audit_log
from ..scope import managed_sites, manages_any
from . import cluster, services, views

urlpatterns = [
    path("", views.SitesView.as_view(), name="sites"),
    path("new/", views.SiteCreateView.as_view(), name="site_create"),
    path("restore/", views.RestoreView.as_view(), name="restore"),
    path("audit/", views.AuditLogView.as_view(), name="audit_log"),
    path("contact/", views.ContactView.as_view(), name="contact"),
    path("<slug:code>/", views.SiteEditView.as_view(), name="site"),
    path("<slug:code>/domains/", views.DomainAddView.as_view(), name="domain_add"),
    path("<slug:code>/domains/<int:domain_id>/remove/", views.DomainRemoveView.as_view(), name="domain_remove"),
    path("<slug:code>/domains/<int:domain_id>/primary/", views.DomainPrimaryView.as_view(), name="domain_primary"),
    path("<slug:code>/status/", views.StatusView.as_view(), name="status"),
    path("<slug:code>/backup/", views.BackupView.as_view(), name="backup"),
]


@hooks.register("register_admin_urls")
def register_console_urls():
    # Wrapped in Wagtail's require_admin_access: the anonymous go to the login page first.
    return [
        path("cluster/", include((urlpatterns, "sites_console"), namespace="sites_console")),
        # Wagtail's 设置 › 站点 (hostname/port/root page) is not installed: sites are tenants here.
        # Its address and URL name (Wagtail's page explorer links the root page to it) show the
        # console's site list instead, which refuses everyone but the web office.
        path("sites/", include(([path("", views.SitesView.as_view(), name="index")], "wagtailsites"))),
    ]


class WebOfficeMenuItem(MenuItem):
    """站点管理: the cluster's web office, and a city's (its screens list the city's subtree)."""

    def is_shown(self, request):
        return manages_any(request.user)


class AuditLogMenuItem(MenuItem):
    def is_shown(self, request):
        if may_read_audit_log(request.user):
            return True
        site = current_site()
        return bool(site is not None and site.pk and not site.is_template) and services.is_site_admin(
            request.user, site
        )


class ContactMenuItem(MenuItem):
    def is_shown(self, request):
        site = current_site()
        return bool(site is not None and site.pk and not site.is_template) and services.may_edit_contact(
            request.user, site
        )


@hooks.register("register_admin_menu_item")
def register_console_menu_item():
    return WebOfficeMenuItem("站点管理", reverse("sites_console:sites"), icon_name="site", order=80)


@hooks.register("register_settings_menu_item")
def register_audit_log_menu_item():
    return AuditLogMenuItem("审计日志", reverse("sites_console:audit_log"), icon_name="history", order=615)


@hooks.register("register_settings_menu_item")
def register_contact_menu_item():
    return ContactMenuItem("页脚联系方式", reverse("sites_console:contact"), icon_name="mail", order=595)


class ClusterPanel(Component):
    """站群概况 on the web office's admin home: every site it manages (all for the cluster's, the
    subtree for a city's, sites.scope), linking to its own admin."""

    name = "cluster_sites"
    order = 20
    template_name = "sites/console/home_panel.html"

    def __init__(self, sites=None):
        self.sites = sites

    def get_context_data(self, parent_context):
        request = parent_context.get("request")
        return {
            "rows": cluster.site_rows(request, sites=self.sites),
            "provisions": self.sites is None,  # opening sites stays the cluster web office's
        }


@hooks.register("construct_homepage_panels")
def add_cluster_panel(request, panels):
    if is_web_office(request.user):
        panels.append(ClusterPanel())
    elif manages_any(request.user):
        panels.append(ClusterPanel(sites=managed_sites(request.user)))
