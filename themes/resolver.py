"""Which theme renders a request, and the template names that follow from it.

Each theme's templates live under their own names (``themes/<template set>/cms/article_page.html``),
so Django's cached template loader, which caches by name, can never hand one site's theme to
another. Each process remembers each site's theme (keyed by the site) until the page cache's purge
counter moves, which every theme change makes it do (``serving.pagecache.on_theme_change``).
"""

from django.db import connection

from serving.pagecache import purges_seen

from .layouts import effective_regions, home_regions, list_layout
from .models import SiteHomeLayout, SiteTheme, Theme, ThemeVersion
from .registry import DEFAULT_TEMPLATE_SET
from .services import is_web_office

PREVIEW_PARAM = "theme"
PREVIEW_VERSION_PARAM = "theme_version"

# Used when the database has no theme at all (a fresh install before migrations ran the data step).
FALLBACK_THEME = Theme(name="政务蓝", slug="blue", template_set=DEFAULT_TEMPLATE_SET, main_color="#0b4f9c")


_remembered = {"purges": None, "themes": {}, "home": {}}


def _site_theme(tenant_pk):
    """The site's theme as the version it shows (a ``Theme`` built from the version's values)."""
    if tenant_pk:
        assignment = (
            SiteTheme.objects.select_related("theme", "version__theme", "version__restored_from")
            .filter(tenant_id=tenant_pk)
            .first()
        )
        if assignment is not None:
            if assignment.version is not None:
                return assignment.version.as_theme()
            return assignment.theme
    return Theme.objects.default() or FALLBACK_THEME


def forget_themes():
    _remembered["themes"] = {}
    _remembered["home"] = {}


def _fresh():
    purges = purges_seen()
    if _remembered["purges"] != purges:
        _remembered["themes"] = {}
        _remembered["home"] = {}
        _remembered["purges"] = purges


def site_theme(tenant):
    tenant_pk = getattr(tenant, "pk", None) if tenant is not None else None
    _fresh()
    theme = _remembered["themes"].get(tenant_pk)
    if theme is None:
        theme = _remembered["themes"][tenant_pk] = _site_theme(tenant_pk)
    return theme


def preview_theme(request):
    """``?theme=<slug>`` shows a theme on any site, for the web office only; with
    ``&theme_version=<number>`` that version of it (before it is applied anywhere).

    Only a signed-in request can be a preview, so the page cache never reads or stores one (it
    serves requests without a session cookie only); the page also says ``Cache-Control: private,
    no-store`` (``cms.models.base.SitePage.serve``).
    """
    slug = request.GET.get(PREVIEW_PARAM) if hasattr(request, "GET") else None
    if not slug:
        return None
    if not is_web_office(getattr(request, "user", None)):
        return None
    theme = Theme.objects.filter(slug=slug).first()
    number = request.GET.get(PREVIEW_VERSION_PARAM, "")
    if theme is not None and number.isdigit():
        version = (
            ThemeVersion.objects.filter(theme=theme, number=int(number))
            .select_related("theme", "restored_from")
            .first()
        )
        if version is None:
            return None
        return version.as_theme()
    return theme


def theme_for_request(request):
    """The theme of this request: a web-office preview, else the site's, else the default."""
    if request is None:
        return site_theme(getattr(connection, "tenant", None))
    theme = getattr(request, "_site_theme", None)
    if theme is None:
        theme = preview_theme(request)
        request.theme_preview = theme is not None
        if theme is None:
            theme = site_theme(getattr(request, "tenant", None) or getattr(connection, "tenant", None))
        request._site_theme = theme
    return theme


def _template_sets(theme):
    sets = [theme.template_set] if theme is not None else []
    if DEFAULT_TEMPLATE_SET not in sets:
        sets.append(DEFAULT_TEMPLATE_SET)
    return sets


def themed_template_names(request, names):
    """``names`` in the request's theme, then in the default theme, then as given."""
    sets = _template_sets(theme_for_request(request))
    return [f"themes/{key}/{name}" for key in sets for name in names] + list(names)


def themed_block_template_names(theme, name):
    return [f"themes/{key}/{name}" for key in _template_sets(theme)] + [name]


def column_layout(theme, column_class):
    """The list layout the theme gives ``column_class`` (``themes.layouts.ListLayout``), or None."""
    return list_layout(getattr(theme, "layouts", None), column_class)


def _site_override(tenant_pk):
    if tenant_pk is None:
        return {}
    _fresh()
    if tenant_pk not in _remembered["home"]:
        layout = SiteHomeLayout.objects.filter(tenant_id=tenant_pk).first()
        _remembered["home"][tenant_pk] = layout.regions if layout else {}
    return _remembered["home"][tenant_pk]


def home_layout(request, theme):
    """The home page's regions for this request: the theme version's, varied by the site where
    the web office unlocked them (a preview shows the version's own regions, unvaried)."""
    regions = home_regions(getattr(theme, "layouts", None))
    if not regions or getattr(request, "theme_preview", False):
        return regions
    tenant = getattr(request, "tenant", None) or getattr(connection, "tenant", None)
    return effective_regions(regions, _site_override(getattr(tenant, "pk", None)))
