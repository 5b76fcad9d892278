"""Wagtail hooks of the content app."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem, SubmenuMenuItem

from . import documents, guide, translations

# Runs beside Wagtail's own collection check: both must admit the reader.
hooks.register("before_serve_document", documents.refuse_unpublished_document)


# --- 使用指南 and the product's help menu (cms/guide.py) ---------------------------------------
@hooks.register("register_admin_urls")
def register_guide_urls():
    urls = [path("", guide.guide_view, name="index"), path("<slug:slug>/", guide.guide_view, name="page")]
    return [
        path("guide/", include((urls, "cms_guide"), namespace="cms_guide")),
        path("jsi18n-cms/", translations.js_catalog, name="cms_javascript_catalog"),
    ]


@hooks.register("construct_help_menu")
def guide_instead_of_wagtails_help(request, menu_items):
    """Our 使用指南 replaces Wagtail's English editor guide and "What's new" links."""
    menu_items[:] = [item for item in menu_items if not item.name.startswith(("whats-new-in-wagtail", "editor-guide"))]
    menu_items.insert(
        0, MenuItem("使用指南", reverse("cms_guide:index"), name="cms-guide", icon_name="help", order=1000)
    )


@hooks.register("construct_main_menu")
def settings_menu_without_wagtails_version(request, menu_items):
    """Wagtail's 设置 submenu carries the footer "Wagtail v8.0.1": the same submenu, without it."""
    for index, item in enumerate(menu_items):
        if item.name == "settings" and type(item) is not SubmenuMenuItem and hasattr(item, "menu"):
            menu_items[index] = SubmenuMenuItem(
                item.label,
                item.menu,
                name=item.name,
                icon_name=item.icon_name,
                order=item.order,
                classname=item.classname,
            )
