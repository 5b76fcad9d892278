from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from . import views
from .models import Theme
from .services import is_web_office


class ThemeViewSet(ModelViewSet):
    """The web office's theme library: name, template set, colours, default logo."""

    model = Theme
    icon = "palette"
    menu_label = _("主题库")
    add_to_admin_menu = False
    form_fields = [
        "name",
        "slug",
        "template_set",
        "main_color",
        "accent_color",
        "second_accent_color",
        "default_logo",
        "description",
        "is_default",
    ]
    list_display = ["name", "slug", "template_set", "main_color", "version", "is_default"]


theme_viewset = ThemeViewSet("themes")


@hooks.register("register_admin_viewset")
def register_theme_viewset():
    return theme_viewset


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [path("", views.site_themes, name="index")]
    return [path("site-themes/", include((urls, "themes_admin"), namespace="themes_admin"))]


class WebOfficeMenuItem(MenuItem):
    def is_shown(self, request):
        return is_web_office(request.user)


@hooks.register("register_settings_menu_item")
def register_site_themes_menu_item():
    return WebOfficeMenuItem(
        _("网站主题"), reverse("themes_admin:index"), name="site-themes", icon_name="palette", order=150
    )


@hooks.register("register_settings_menu_item")
def register_theme_library_menu_item():
    return WebOfficeMenuItem(
        _("主题库"), reverse(theme_viewset.get_url_name("index")), name="theme-library", icon_name="palette", order=151
    )
