"""网站监管 in the Wagtail admin: the URLs, a menu entry and a panel on the admin's home page.

The menu and the panel only decide what is shown; each view checks access again (views.py).
"""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from sites.access import SecurityAdminOnlyPolicy, current_site, is_security_admin, is_web_office
from sites.scope import manages_any

from . import views
from .models import Alarm, DailyResult, WordingEntry
from .rules import label

# Before the viewset is built: under Wagtail's model-permission policy a group granted
# change_wordingentry could edit a list that decides every site's veto.
register_permission_policy(WordingEntry, SecurityAdminOnlyPolicy(WordingEntry))


class WordingEntryViewSet(ModelViewSet):
    """The web office's list of 严重表述错误: removed officials, withdrawn organisations, 错别字.
    Saving or deleting an entry re-scans every site's live content (signal_handlers.py)."""

    model = WordingEntry
    icon = "warning"
    menu_label = "表述错误词表"
    add_to_admin_menu = False
    form_fields = ["kind", "text", "correction", "note", "active"]
    list_display = ["text", "kind", "correction", "note", "active", "updated_at"]
    list_filter = ["kind", "active"]
    search_fields = ["text", "correction", "note"]


wording_viewset = WordingEntryViewSet("supervision_wording")


@hooks.register("register_admin_viewset")
def register_wording_viewset():
    return wording_viewset


class WebOfficeMenuItem(MenuItem):
    def is_shown(self, request):
        return is_security_admin(request.user)  # the wording list is the security administrator's (三员分立)


@hooks.register("register_settings_menu_item")
def register_wording_menu():
    return WebOfficeMenuItem(
        "表述错误词表", reverse(wording_viewset.get_url_name("index")), icon_name="warning", order=860
    )


urlpatterns = [
    path("", views.index, name="index"),
    path("cluster/", views.cluster_dashboard, name="cluster"),
    path("site/<slug:code>/", views.site_page, name="site"),
]


@hooks.register("register_admin_urls")
def register_supervision_urls():
    # Wrapped in Wagtail's require_admin_access: someone with no role on this site never reaches a view.
    return [path("supervision/", include((urlpatterns, "supervision"), namespace="supervision"))]


def _site():
    site = current_site()
    return site if site is not None and site.pk and not site.is_template else None


class SupervisionMenuItem(MenuItem):
    def is_shown(self, request):
        if is_web_office(request.user):
            return True
        site = _site()
        return site is not None and views.can_see_site(request.user, site)


@hooks.register("register_admin_menu_item")
def register_supervision_menu():
    return SupervisionMenuItem("网站监管", reverse("supervision:index"), icon_name="warning", order=900)


class SupervisionPanel(Component):
    """The site's score and its latest alarms on the admin's home page (site admins, web office)."""

    name = "supervision"
    order = 60
    template_name = "supervision/home_panel.html"

    def __init__(self, site, web_office):
        self.site = site
        self.web_office = web_office

    def get_context_data(self, parent_context):
        result = DailyResult.objects.filter(tenant=self.site).order_by("-day").first()
        alarms = Alarm.objects.filter(tenant=self.site).order_by("-day", "-id")[:5]
        return {
            "site": self.site,
            "result": result,
            "vetoes": [label(code) for code in (result.vetoes if result else [])],
            "alarms": [{"label": label(a.rule), "alarm": a} for a in alarms],
            "site_url": reverse("supervision:site", args=[self.site.code]),
            "cluster_url": reverse("supervision:cluster") if self.web_office else "",
        }


@hooks.register("construct_homepage_panels")
def supervision_panel(request, panels):
    site = _site()
    if site is None:
        return
    if views.can_see_site(request.user, site):
        panels.append(SupervisionPanel(site, manages_any(request.user)))  # the overview link: a city's too
