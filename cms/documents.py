"""Who may download a document (附件), and how its file leaves the server.

Documents are never files on a public URL. ``/documents/<id>/<name>`` (Wagtail's document view) is
the only way to one, on the site that owns it, and it applies two rules:

* the collection's view restriction (Wagtail's own ``before_serve_document`` hook, with "login"
  meaning a member of the site: sites/access.py);
* the one visibility rule of pages (design §3): a document is public only while a live page that
  the reader may read uses it (``may_download`` below). An attachment of a draft, of an unpublished
  page, of a page's unapproved revision, or an upload no page uses yet, is for the site's staff only.

``/media/`` keeps images and other public files: nginx and the development media route below
refuse its documents directory (sites/storage.py). Behind nginx the view answers with
``X-Accel-Redirect`` to an internal location (``CMS_DOCUMENTS_ACCEL_REDIRECT``) and nginx sends the
file; without it (runserver, tests) Django streams the file.
"""

import os
import posixpath
import re
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import IntegerField, Subquery
from django.db.models.functions import Cast
from django.http import Http404, HttpResponse
from django.urls import re_path
from django.utils.cache import patch_cache_control
from django.views import static
from wagtail.documents.views import serve as wagtail_serve
from wagtail.models import Page, ReferenceIndex
from wagtail.utils import sendfile_streaming_backend

from sites import access
from sites.storage import is_document_name

from .visibility import listed


def pages_using(document):
    """Pages whose saved content uses the document (an attachment block or a rich-text link).

    Wagtail's ReferenceIndex records a page from its database row, which holds the live content of
    a live page: an attachment added in a revision still under review is not recorded until that
    revision is published. Nothing here reads revisions, so a draft never makes a file public.
    """
    references = ReferenceIndex.get_references_to(document).filter(
        base_content_type=ContentType.objects.get_for_model(Page)
    )
    ids = references.annotate(page_id=Cast("object_id", IntegerField())).values("page_id")
    return Page.objects.filter(pk__in=Subquery(ids))


def may_download(document, request):
    """The document's own rule, on top of its collection's (Wagtail's check and sites/access.py).

    Whoever may read a live page that uses the document may download it: anyone for a listed page
    (cms.visibility), otherwise the people the page's restriction admits (a password, or on this
    site a member, as for the page itself). The site's members may download every document of
    their site, to preview and review drafts. Fails closed: a document no live page uses is
    private, including one whose references were never indexed (pages loaded with Wagtail's
    signals off, e.g. ``loaddata``: run ``rebuild_references_index`` for the site).
    """
    user = getattr(request, "user", None)
    if access.is_site_member(user):
        return True
    pages = pages_using(document)
    if listed(pages).exists():
        return True
    for page in pages.live().not_public():
        restrictions = page.get_view_restrictions()
        if all(restriction.accept_request(request) for restriction in restrictions) and not access.refuses_any(
            restrictions, user
        ):
            return True
    return False


def refuse_unpublished_document(document, request):
    """``before_serve_document`` hook: a 404, as for the draft page itself, reveals nothing."""
    if not may_download(document, request):
        raise Http404("document not published")


def serve(request, document_id, document_filename):
    """Wagtail's document view, with responses no shared cache may keep.

    A public document becomes private the moment its page is withdrawn; a CDN or proxy holding a
    copy would keep serving it, so every answer is ``private`` and revalidated (the ETag makes
    the check cheap: 304 after the rules above have run again).
    """
    response = wagtail_serve.serve(request, document_id, document_filename)
    patch_cache_control(response, private=True, no_cache=True)
    if response.has_header("X-Accel-Redirect"):
        # nginx sends the file with its own length; an empty body lets it reuse the connection.
        response["Content-Length"] = "0"
    return response


# --- Sending the file -----------------------------------------------------------------------------


def accel_redirect_uri(local_path, media_root, prefix):
    """The ``X-Accel-Redirect`` value for a file under ``media_root``: escaped, as nginx expects.

    None for a file outside ``media_root``: nginx's internal location maps only that directory.
    """
    try:
        relative = Path(os.path.realpath(local_path)).relative_to(os.path.realpath(media_root))
    except ValueError:
        return None
    return quote(posixpath.join(prefix, relative.as_posix()))


def sendfile(request, filename, **kwargs):
    """Wagtail's ``SENDFILE_BACKEND``: X-Accel-Redirect behind nginx, else the file streamed."""
    prefix = getattr(settings, "CMS_DOCUMENTS_ACCEL_REDIRECT", "")
    uri = accel_redirect_uri(filename, settings.MEDIA_ROOT, prefix) if prefix else None
    if uri is None:
        return sendfile_streaming_backend.sendfile(request, filename, **kwargs)
    response = HttpResponse(content_type=kwargs.get("mimetype"))
    response["X-Accel-Redirect"] = uri
    return response


# --- /media/ during development ---------------------------------------------------------------------


def serve_public_media(request, path):
    """runserver's /media/ (DEBUG only): images and other public files, never a document."""
    if is_document_name(path):
        raise Http404("documents are served by /documents/<id>/<name>")
    return static.serve(request, path, document_root=settings.MEDIA_ROOT)


def media_urlpatterns():
    """What ``django.conf.urls.static.static()`` gives for MEDIA_URL, minus the documents."""
    if not settings.DEBUG:
        return []
    prefix = re.escape(settings.MEDIA_URL.lstrip("/"))
    return [re_path(rf"^{prefix}(?P<path>.*)$", serve_public_media)]
