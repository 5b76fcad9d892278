"""Which theme renders a request, and the template names that follow from it.

Each theme's templates live under their own names (``themes/<template set>/cms/article_page.html``),
so Django's cached template loader, which caches by name, can never hand one site's theme to
another. Each process remembers each site's theme (keyed by the site) until the page cache's purge
counter moves, which every theme change makes it do (``serving.pagecache.on_theme_change``).
"""

from django.db import connection

from serving.pagecache import purges_seen

from .models import SiteTheme, Theme
from .registry import DEFAULT_TEMPLATE_SET
from .services import is_web_office

PREVIEW_PARAM = "theme"

# Used when the database has no theme at all (a fresh install before migrations ran the data step).
FALLBACK_THEME = Theme(name="政务蓝", slug="blue", template_set=DEFAULT_TEMPLATE_SET, main_color="#0b4f9c")


_remembered = {"purges": None, "themes": {}}


def _site_theme(tenant_pk):
    if tenant_pk:
        assignment = SiteTheme.objects.select_related("theme").filter(tenant_id=tenant_pk).first()
        if assignment is not None:
            return assignment.theme
    return Theme.objects.default() or FALLBACK_THEME


def forget_themes():
    _remembered["themes"] = {}


def site_theme(tenant):
    tenant_pk = getattr(tenant, "pk", None) if tenant is not None else None
    purges = purges_seen()
    if _remembered["purges"] != purges:
        _remembered["themes"] = {}
        _remembered["purges"] = purges
    theme = _remembered["themes"].get(tenant_pk)
    if theme is None:
        theme = _remembered["themes"][tenant_pk] = _site_theme(tenant_pk)
    return theme


def preview_theme(request):
    """``?theme=<slug>`` shows a theme on any site, for the web office only."""
    slug = request.GET.get(PREVIEW_PARAM) if hasattr(request, "GET") else None
    if not slug:
        return None
    if not is_web_office(getattr(request, "user", None)):
        return None
    return Theme.objects.filter(slug=slug).first()


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
