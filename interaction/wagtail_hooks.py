"""互动交流 in each site's Wagtail admin: the menu, the URLs and the home panel.

The menu and the panel only decide what is *shown*; each view checks access again on the server
(interaction/admin_views.py).
"""

from django.urls import include, path, reverse_lazy
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.components import Component

from sites.access import current_site, is_web_office

from . import access, admin_urls, admin_views


@hooks.register("register_admin_urls")
def register_interaction_urls():
    # Wrapped in Wagtail's require_admin_access: someone with no role on this site never reaches a view.
    return [path("interaction/", include((admin_urls.urlpatterns, "interaction_admin"), namespace="interaction_admin"))]


def _site_for(request):
    site = current_site()
    return site if site is not None and site.pk else None


class DeskMenuItem(MenuItem):
    """An entry of the 互动交流 menu, shown by a rule of interaction/access.py."""

    def __init__(self, label, url_name, rule, **kwargs):
        self.rule = rule
        # The admin URLs exist only once the hooks have run: reverse when the menu is drawn.
        kwargs.setdefault("name", url_name.replace(":", "-"))
        super().__init__(label, reverse_lazy(url_name), **kwargs)

    def is_shown(self, request):
        site = _site_for(request)
        return site is not None and self.rule(request.user, site)


def _desk(user, site):
    return access.can_open_desk(user, site)


def _overview(user, site):
    # The lists and statistics: a city's web office reads its subtree's there (admin_views.overview_site).
    return admin_views.can_open_overview(user, site)


def _reviewer(user, site):
    return access.can_review(user, site)


def _deadline_editor(user, site):
    return admin_views.can_edit_deadlines(user, site)


def _web_office(user, site):
    return is_web_office(user)


@hooks.register("register_admin_menu_item")
def register_interaction_menu():
    items = [
        DeskMenuItem("留言办理", "interaction_admin:messages", _overview, icon_name="mail", order=10),
        DeskMenuItem("依申请公开", "interaction_admin:applications", _overview, icon_name="doc-full", order=20),
        DeskMenuItem("答复审核", "interaction_admin:reviews", _reviewer, icon_name="tasks", order=30),
        DeskMenuItem("超期与预警", "interaction_admin:overdue", _desk, icon_name="warning", order=40),
        DeskMenuItem("统计", "interaction_admin:statistics", _overview, icon_name="table", order=50),
        DeskMenuItem("办理时限", "interaction_admin:deadlines", _deadline_editor, icon_name="time", order=60),
        DeskMenuItem("工作日调整", "interaction_admin:workdays", _web_office, icon_name="date", order=70),
    ]
    return SubmenuMenuItem("互动交流", Menu(items=items), icon_name="mail", name="interaction", order=280)


class DeskPanel(Component):
    name = "interaction_desk"
    order = 80
    template_name = "interaction/admin/home_panel.html"

    def __init__(self, counts):
        self.counts = counts

    def get_context_data(self, parent_context):
        links = admin_views.home_links()
        labels = {"todo": "待办", "due_soon": "即将到期", "overdue": "已超期", "reviews": "待审核答复"}
        return {
            "items": [
                {"key": key, "label": labels[key], "count": count, "url": links[key]}
                for key, count in self.counts.items()
            ]
        }


@hooks.register("construct_homepage_panels")
def interaction_desk_panel(request, panels):
    site = _site_for(request)
    if site is None:
        return
    user = request.user
    if access.can_handle(user, site) or access.can_review(user, site):
        counts = admin_views.desk_counts(user, site)
        if counts:
            panels.append(DeskPanel(counts))


# The citizen's entries on the 互动交流 and 依申请公开 columns (interaction/column_links.py).
from .column_links import COLUMN_SERVICES, column_services  # noqa: E402

hooks.register(COLUMN_SERVICES, column_services)
