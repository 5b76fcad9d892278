"""Refusals to publish shown as admin messages, not error pages; visitors' error pages with DEBUG on."""

import logging
import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import get_resolver, get_urlconf, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from sites.middleware import themed_error_pages

from .models import IndexNumberError

request_logger = logging.getLogger("django.request")

PAGE_URL_RE = re.compile(r"^/admin/pages/(\d+)/")


class PublishRefusalMiddleware:
    """A document that cannot get its 索引号 is not published; the editor is told why.

    The edit form refuses first (``cms.forms.DisclosureDocumentForm``); this covers the other ways
    a page gets published: the last approval of the review chain (from the dashboard's dialog),
    bulk publishing, a site whose org code was removed while the document was in review. Those
    publish inside a transaction, so nothing is half done when the error arrives here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, IndexNumberError) or not request.path.startswith("/admin/"):
            return None
        messages.error(request, f"未能发布：{exception} 请联系网站办在站点信息中填写组织机构代码后再发布。")
        target = self._back_url(request)
        if request.headers.get("x-requested-with") == "XMLHttpRequest":
            # Wagtail's workflow dialogs follow a "redirect" in their JSON answer.
            return JsonResponse({"step": "success", "redirect": target})
        return redirect(target)

    @staticmethod
    def _back_url(request):
        match = PAGE_URL_RE.match(request.path)
        if match:
            return reverse("wagtailadmin_pages:edit", args=[int(match.group(1))])
        referer = request.headers.get("referer", "")
        if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}):
            return referer
        return reverse("wagtailadmin_home")


class VisitorErrorPagesMiddleware:
    """With DEBUG on (``make run``), a visitor still gets the themed Chinese 404 and 500 pages.

    Django answers with its English debug pages whenever DEBUG is on; the demo is shown to people
    who are not developers. ``sites.middleware.themed_error_pages`` decides who gets which: the
    developer, signed in or on an admin path (or with ``CMS_THEMED_ERRORS=0``), keeps Django's
    pages, and every 500 is logged with its traceback either way.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not themed_error_pages(request):
            return None
        resolver = get_resolver(get_urlconf())
        if isinstance(exception, Http404):
            return resolver.resolve_error_handler(404)(request, exception)
        if isinstance(exception, PermissionDenied | SuspiciousOperation):
            return None  # Django renders 403.html / 400 itself, DEBUG or not
        request_logger.error("Internal Server Error: %s", request.path, exc_info=exception)
        return resolver.resolve_error_handler(500)(request)
