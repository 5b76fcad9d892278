"""The search API (every host) and the results page (every site host, in the site's theme)."""

from __future__ import annotations

import functools
import logging

from django.apps import apps
from django.db import InterfaceError, OperationalError, connection
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET
from wagtail.models import Site

from cms.models import TopicCategory
from cms.visibility import listed
from publishing.catalogue.services import catalogue_types
from sites.hosts import relocate
from sites.models import Tenant
from themes.resolver import theme_for_request

from . import ratelimit
from .backends import get_backend
from .backends.base import BackendUnavailable, SearchError
from .forms import params_from

logger = logging.getLogger(__name__)

JSON_OPTIONS = {"ensure_ascii": False}


def _json(data, status=200, **headers):
    response = JsonResponse(data, status=status, json_dumps_params=JSON_OPTIONS)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    # private: no shared cache (CDN, proxy) may keep a hit after its page is withdrawn or restricted.
    response["Cache-Control"] = "no-store" if status != 200 else "private, max-age=60"
    return response


def _error(error, status=400):
    """The JSON of a refused request: the reason in Chinese, and the parameter when one is to blame."""
    data = {"error": str(error)}
    if getattr(error, "field", ""):
        data["field"] = error.field
    return _json(data, status=status)


def json_api(view):
    """A JSON API view answers JSON whatever happens: 405 for other methods, 503 while the database
    is down, 500 for anything unexpected (logged with its traceback; the reader gets no internals).

    Django's own handlers would answer these with an HTML page, which an API client cannot read.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = _json({"error": "只支持 GET 请求"}, status=405)
            response["Allow"] = "GET, HEAD"
            return response
        try:
            return view(request, *args, **kwargs)
        except (OperationalError, InterfaceError):
            logger.exception("search API: database unavailable")
            return _json({"error": "搜索服务暂时不可用，请稍后再试。"}, status=503, Retry_After="30")
        except Exception:
            logger.exception("search API failed")
            return _json({"error": "搜索服务出错，我们已记录该问题，请稍后再试。"}, status=500)

    return wrapped


def _limited(request):
    allowed, retry_after = ratelimit.allow(request)
    if allowed:
        return None
    return _json(
        {"error": f"搜索过于频繁，请 {retry_after} 秒后再试。", "retry_after": retry_after},
        status=429,
        Retry_After=str(retry_after),
    )


@json_api
def api_search(request):
    """GET /api/search/?q=&site=&type=&from=&to=&sort=&page= → results, facets, timing.

    A bad parameter is a 400 ``{"error": "<why, in Chinese>", "field": "<the parameter>"}``.
    """
    limited = _limited(request)
    if limited:
        return limited
    try:
        params = params_from(request.GET)
        results = get_backend().run(params)
    except SearchError as error:
        return _error(error)
    except BackendUnavailable:
        logger.exception("search backend unavailable")
        return _json({"error": "搜索服务暂时不可用，请稍后再试。"}, status=503)
    return _json(results.as_json(request))


@json_api
def api_suggest(request):
    """GET /api/search/suggest/?q=交通运&site= → titles matching what has been typed so far."""
    limited = _limited(request)
    if limited:
        return limited
    try:
        params = params_from(request.GET)
        suggestions = get_backend().suggest(params.q, sites=params.sites or None)
    except SearchError as error:
        return _error(error)
    except BackendUnavailable:
        logger.exception("search backend unavailable")
        return _json({"error": "搜索服务暂时不可用，请稍后再试。"}, status=503)
    # The stored URLs name the origin of their publish time: the site's current host and port instead.
    site_ids = dict(Tenant.objects.filter(code__in={item["site"] for item in suggestions}).values_list("code", "pk"))
    for item in suggestions:
        if item["site"] in site_ids:
            item["url"] = relocate(item["url"], site_ids[item["site"]], request)
    return _json({"suggestions": suggestions})


def _site_context(request):
    """Navigation of the current site, as its pages have it (the results page is not a Wagtail page)."""
    site = Site.find_for_request(request)
    home = site.root_page.specific if site else None
    return {
        "theme": theme_for_request(request),
        "site_home": home,
        "nav_columns": listed(home.get_children()).in_menu() if home else [],
        "nav_active_path": "",
        "breadcrumbs": [],
    }


def _page_numbers(current, last, around=2):
    numbers = sorted({1, last, *range(max(1, current - around), min(last, current + around) + 1)})
    out, previous = [], 0
    for number in numbers:
        if number - previous > 1:
            out.append(None)  # an ellipsis
        out.append(number)
        previous = number
    return out


@require_GET
def search_page(request):
    """/search/ on a site host: this site or all sites, in the site's theme."""
    tenant = getattr(request, "tenant", None) or connection.tenant
    scope = "site" if request.GET.get("scope") == "site" else "all"
    context = {**_site_context(request), "scope": scope, "query": (request.GET.get("q") or "").strip()}
    theme = context["theme"] or theme_for_request(request)
    context["base_template"] = f"themes/{theme.template_set}/base.html"
    status = 200
    if context["query"]:
        limited = _limited(request)
        if limited:
            context["error"] = "搜索过于频繁，请稍后再试。"
            status = 429
        else:
            try:
                params = params_from(request.GET)
                if scope == "site":
                    params.sites = [tenant.code]
                results = get_backend().run(params)
                context["results"] = results
                context["page_numbers"] = _page_numbers(params.page, results.num_pages)
                context["params"] = params
            except SearchError as error:
                context["error"] = str(error)
                status = 400
            except BackendUnavailable:
                logger.exception("search backend unavailable")
                context["error"] = "搜索服务暂时不可用，请稍后再试。"
                status = 503
    context["type_choices"] = _type_choices(catalogue_types())
    context["topic_choices"] = TopicCategory.choices
    response = TemplateResponse(request, "themes/_shared/search_results.html", context, status=status)
    response["Cache-Control"] = "no-store" if status != 200 else "private, max-age=60"
    return response


def _type_choices(types):
    return [(name, apps.get_model(label)._meta.verbose_name) for label, name in types.items()]
