"""Which page types a column takes, and who may build a site's structure.

Wagtail's ``subpage_types`` are per page *type*, but every column is a ``ColumnPage``: the rule of
47号 is per column *class* (a news column holds articles; a disclosure column holds disclosure
documents, its catalogue and its annual reports). Each page type declares the column classes it
belongs in (``SitePage.column_classes``) and whether it is structure (``SitePage.structure``:
columns, the 政府信息公开目录 and the annual-report list), which only the site admin and the web
office add. Wagtail asks ``can_create_at(parent)`` both when it lists the types of the "add child
page" screen and when the create view receives a form, so the choice offered and the refusal of a
forged request are the same rule.

``can_create_at`` is a class method without a user, so the request being served is kept here for
the length of the request (``CurrentRequestMiddleware``). Outside a request (provisioning, seeding,
commands) structure may be built: those paths are the system's own.
"""

import contextvars

from wagtail.models import Page

from sites.access import has_site_role, is_web_office
from sites.models import Role

_request = contextvars.ContextVar("cms_current_request", default=None)


class CurrentRequestMiddleware:
    """Keeps the request for ``structure_allowed()`` while it is served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def may_build_structure(user):
    """Columns and the disclosure structure are added by the site admin and the web office only."""
    return is_web_office(user) or has_site_role(user, Role.SITE_ADMIN)


def structure_allowed():
    """Whether whoever is acting now may add structure: the request's user, or the system itself."""
    request = _request.get()
    if request is None:
        return True
    return may_build_structure(getattr(request, "user", None))


def column_class_of(parent):
    """The column class of ``parent`` when it is a column, else None (home, topic, report list)."""
    if type(parent) is Page:  # Wagtail's move and copy views pass the destination as a plain Page
        parent = parent.specific
    return getattr(parent, "column_class", None)


def fits_under(page_class, parent):
    """Whether ``page_class`` belongs under ``parent``: its column class, and structure rights."""
    if getattr(page_class, "structure", False) and not structure_allowed():
        return False
    column_class = column_class_of(parent)
    classes = getattr(page_class, "column_classes", None)
    if column_class is None or classes is None or not column_class:
        return True
    return column_class in classes
