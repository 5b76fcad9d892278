from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.models import CreateView, EditView
from wagtail.admin.viewsets.model import ModelViewSet

from . import views
from .models import Theme, snapshot_of
from .services import is_web_office, latest_version
from .versions import create_version, may_vary_home


class ThemeCreateView(CreateView):
    def save_instance(self):
        theme = super().save_instance()
        latest_version(theme)  # its first version
        return theme


class ThemeEditView(EditView):
    """An edit in the theme library is a new version of the theme, like the 新建版本 screen."""

    def save_instance(self):
        theme = super().save_instance()
        create_version(
            theme, snapshot_of(theme), actor=self.request.user, comment="在主题库中修改", request=self.request
        )
        return theme


class ThemeViewSet(ModelViewSet):
    """The web office's theme library: name, template set, colours, default logo."""

    model = Theme
    add_view_class = ThemeCreateView
    edit_view_class = ThemeEditView
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
    urls = [
        path("", views.site_themes, name="index"),
        path("themes/<int:pk>/versions/", views.theme_versions, name="versions"),
        path("themes/<int:pk>/versions/new/", views.new_version, name="new_version"),
        path("versions/<int:pk>/preview/", views.preview_version, name="preview"),
        path("versions/<int:pk>/apply/", views.apply_version_view, name="apply"),
        path("versions/<int:pk>/rollback/", views.rollback_view, name="rollback"),
        path("home-layout/", views.home_layout_view, name="home_layout"),
    ]
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


class SiteAdminMenuItem(MenuItem):
    def is_shown(self, request):
        return may_vary_home(request.user, getattr(request, "tenant", None))


@hooks.register("register_settings_menu_item")
def register_home_layout_menu_item():
    return SiteAdminMenuItem(
        _("首页版块"), reverse("themes_admin:home_layout"), name="home-layout", icon_name="form", order=152
    )


# 哀悼模式 (themes/mourning.py): the web office's screen.
@hooks.register("register_admin_urls")
def register_mourning_urls():
    from .mourning_views import mourning_admin

    urls = [path("", mourning_admin, name="index")]
    return [path("mourning/", include((urls, "themes_mourning"), namespace="themes_mourning"))]


@hooks.register("register_settings_menu_item")
def register_mourning_menu_item():
    return WebOfficeMenuItem(
        _("哀悼模式"), reverse("themes_mourning:index"), name="mourning", icon_name="view", order=153
    )
