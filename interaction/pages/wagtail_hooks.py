"""征集调查 in each site's Wagtail admin: the moderation screen's URLs and its menu entry.

The menu only decides what is shown; each view checks the role again (interaction/pages/admin_views.py).
"""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_urls, moderation


@hooks.register("register_admin_urls")
def register_participation_urls():
    # Inside Wagtail's require_admin_access: someone without admin access on this site never gets here.
    return [
        path("participation/", include((admin_urls.urlpatterns, "interaction_pages"), namespace="interaction_pages"))
    ]


class ModerationMenuItem(MenuItem):
    def is_shown(self, request):
        return moderation.can_moderate(request.user, moderation.site_for_request())

    def render_component(self, request):
        self.url = reverse("interaction_pages:comments")
        return super().render_component(request)


@hooks.register("register_admin_menu_item")
def register_moderation_menu_item():
    return ModerationMenuItem("征集调查", "#", name="participation", icon_name="comment", order=620)
