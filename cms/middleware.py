"""Refusals to publish shown as admin messages, not error pages."""

import re

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .models import IndexNumberError

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
