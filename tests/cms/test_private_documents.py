"""Private documents are never reachable by a public URL (issue 10, item 2).

A document in a login-only collection, an attachment of a draft, of an unpublished page, of a
revision still under review, and an upload no page uses, are refused to the public on every host,
at ``/documents/<id>/<name>`` and at ``/media/<schema>/documents/<name>`` (runserver's media route;
nginx has its own test in tests/docker/test_nginx_documents.py). Each refusal has a positive
control: a public attachment downloads, and the site's staff download the private ones.
"""

import importlib
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import clear_url_caches
from django_tenants.utils import schema_context
from wagtail.documents import get_document_model
from wagtail.models import BaseViewRestriction, Collection, CollectionViewRestriction, Page, PageViewRestriction

from cms.models import ArticlePage
from publishing.catalogue.static_output import export_site
from sites.models import Role
from tests.cms import content

pytestmark = pytest.mark.django_db

HOSTS = ["jtj.localhost", "jyj.localhost", "portal.localhost", settings.CMS_CLUSTER_HOST]


@dataclass
class Doc:
    id: int
    url: str
    name: str  # the stored name: MEDIA_ROOT/<name> is the file
    marker: bytes

    @property
    def media_url(self):
        return settings.MEDIA_URL + quote(self.name)


def _doc(key, filename, collection=None):
    marker = f"附件内容-{key}".encode()
    extra = {"collection": collection} if collection is not None else {}
    made = get_document_model().objects.create(
        title=filename.rsplit(".", 1)[0],
        file=SimpleUploadedFile(filename, b"%PDF-1.4\n" + marker + b"\n%%EOF\n"),
        **extra,
    )
    return made


def _attach(document):
    return [("attachment", {"document": document, "title": f"附件：{document.title}"})]


def _as_doc(document, key):
    document.refresh_from_db()
    return Doc(document.id, document.url, document.file.name, f"附件内容-{key}".encode())


@pytest.fixture
def docs(cluster):
    """jtj's documents, one per case; the pages that use them are made through Wagtail's publishing."""
    connection.set_tenant(cluster.sites["jtj"])
    made = {}
    column = content.column("gzdt")

    public = _doc("public", "公开的附件.pdf")
    content.article(column, title="有公开附件的文章", attachments=_attach(public))
    made["public"] = public

    linked = _doc("richtext", "正文链接的附件.pdf")
    content.article(
        column, title="正文链接附件的文章", body=f'<p>详见<a linktype="document" id="{linked.id}">附件</a>。</p>'
    )
    made["richtext"] = linked

    root = Collection.get_first_root_node()
    internal = root.add_child(name="内部资料")
    CollectionViewRestriction.objects.create(collection=internal, restriction_type=BaseViewRestriction.LOGIN)
    # On a public page too: only the collection's restriction makes it private.
    collection_doc = _doc("collection", "内部资料.pdf", collection=internal)
    content.article(column, title="引用内部资料的文章", attachments=_attach(collection_doc))
    made["collection"] = collection_doc

    draft_doc = _doc("draft", "草稿的附件.pdf")
    draft = column.add_child(
        instance=ArticlePage(
            title="未发布的草稿", slug="draft-with-attachment", live=False, attachments=_attach(draft_doc)
        )
    )
    draft.save_revision()
    made["draft"] = draft_doc

    revision_doc = _doc("revision", "待审修改的附件.pdf")
    reviewed = content.article(column, title="有待审修改的文章")
    reviewed.attachments = _attach(revision_doc)
    reviewed.save_revision()  # a revision under review; the live page does not use the document
    made["revision"] = revision_doc

    withdrawn_doc = _doc("unpublished", "已撤下文章的附件.pdf")
    withdrawn = content.article(column, title="已撤下的文章", attachments=_attach(withdrawn_doc))
    withdrawn.unpublish()
    made["unpublished"] = withdrawn_doc

    made["unused"] = _doc("unused", "尚未使用的上传.pdf")

    docs = {key: _as_doc(document, key) for key, document in made.items()}
    docs["pages"] = {"reviewed": reviewed.pk, "withdrawn": withdrawn.pk, "draft": draft.pk}
    connection.set_schema_to_public()
    return docs


PRIVATE = ["collection", "draft", "revision", "unpublished", "unused"]


def body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def refused(response, marker):
    """403/404, or Wagtail's redirect to a login page (the admin's or the public one); never the file."""
    if marker in body(response):
        return False
    if response.status_code in (403, 404):
        return True
    target = urlsplit(response["Location"]) if response.status_code == 302 else None
    return target is not None and target.netloc == "" and target.path in ("/admin/login/", "/_util/login/")


def downloads(response, marker):
    return response.status_code == 200 and marker in body(response)


@pytest.fixture
def runserver_media(settings):
    """The URL modules as runserver loads them (DEBUG adds the /media/ route), restored afterwards."""
    import cms.urls
    import cms.urls_public

    def load(debug):
        settings.DEBUG = debug
        importlib.reload(cms.urls)
        importlib.reload(cms.urls_public)
        clear_url_caches()

    load(True)
    yield
    load(False)


# --- The refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", PRIVATE)
def test_private_document_is_refused_to_the_public_on_every_host(cluster, client, docs, runserver_media, case):
    doc = docs[case]
    for host in HOSTS:
        for url in (doc.url, doc.media_url):
            response = client.get(url, HTTP_HOST=host)
            assert refused(response, doc.marker), (host, url, response.status_code)


def test_staff_of_another_site_cannot_download_a_private_document(cluster, client, docs):
    client.force_login(cluster.user("jyj", Role.EDITOR))
    for case in PRIVATE:
        assert refused(client.get(docs[case].url, HTTP_HOST="jtj.localhost"), docs[case].marker), case
    # The same requests succeed for jtj's own editor: the refusals above are real.
    client.force_login(cluster.user("jtj", Role.EDITOR))
    for case in PRIVATE:
        assert downloads(client.get(docs[case].url, HTTP_HOST="jtj.localhost"), docs[case].marker), case


def test_media_route_refuses_every_spelling_of_a_documents_path(cluster, client, docs, runserver_media):
    doc = docs["public"]  # even a public document: /media/ is never the way to a document
    schema, rest = doc.name.split("/", 1)
    filename = quote(rest.split("/", 1)[1])
    spellings = [
        doc.media_url,
        f"/media/{schema}/%64ocuments/{filename}",
        f"/media/{schema}//documents/{filename}",
        f"/media/{schema}/./documents/{filename}",
        f"/media/{schema}/original_images/../documents/{filename}",
        f"/media/{schema}/DOCUMENTS/{filename}",
        f"/media/{schema}/documents%2F{filename}",
    ]
    for url in spellings:
        response = client.get(url, HTTP_HOST="jtj.localhost")
        assert response.status_code == 404 and doc.marker not in body(response), url


# --- Positive controls ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["public", "richtext"])
def test_attachment_of_a_live_public_page_downloads_for_anyone(cluster, client, docs, case):
    doc = docs[case]
    assert downloads(client.get(doc.url, HTTP_HOST="jtj.localhost"), doc.marker)
    # Its own site only: the same id on another site is another site's document, or nothing.
    for host in ("jyj.localhost", "portal.localhost", settings.CMS_CLUSTER_HOST):
        assert doc.marker not in body(client.get(doc.url, HTTP_HOST=host))


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.SECRECY_OFFICER, Role.SITE_ADMIN])
def test_the_sites_staff_download_its_private_documents(cluster, client, docs, role):
    """Editors preview their drafts' attachments; reviewers and the secrecy officer check them."""
    client.force_login(cluster.user("jtj", role))
    for case in PRIVATE:
        assert downloads(client.get(docs[case].url, HTTP_HOST="jtj.localhost"), docs[case].marker), case


def test_web_office_downloads_private_documents(cluster, client, docs):
    client.force_login(cluster.user(None, Role.WEB_OFFICE))
    for case in PRIVATE:
        assert downloads(client.get(docs[case].url, HTTP_HOST="jtj.localhost"), docs[case].marker), case


def test_images_still_serve_under_media(cluster, client, runserver_media):
    with schema_context("jtj"):
        picture = content.image("公开图片")
        url, rendition = picture.file.url, picture.get_rendition("fill-8x8").url
    for host in HOSTS:
        for path in (url, rendition):
            response = client.get(path, HTTP_HOST=host)
            assert response.status_code == 200 and body(response).startswith(b"\x89PNG"), (host, path)


def test_publishing_and_withdrawing_the_page_decide_the_attachment(cluster, client, docs):
    reviewed, withdrawn = docs["revision"], docs["unpublished"]
    with schema_context("jtj"):
        Page.objects.get(pk=docs["pages"]["reviewed"]).specific.get_latest_revision().publish()
        Page.objects.get(pk=docs["pages"]["withdrawn"]).specific.save_revision().publish()
    assert downloads(client.get(reviewed.url, HTTP_HOST="jtj.localhost"), reviewed.marker)
    assert downloads(client.get(withdrawn.url, HTTP_HOST="jtj.localhost"), withdrawn.marker)
    with schema_context("jtj"):
        Page.objects.get(pk=docs["pages"]["reviewed"]).specific.unpublish()
    assert refused(client.get(reviewed.url, HTTP_HOST="jtj.localhost"), reviewed.marker)


def test_attachment_of_a_password_page_needs_the_password(cluster, client, docs):
    doc = docs["public"]
    with schema_context("jtj"):
        page = ArticlePage.objects.get(title="有公开附件的文章")
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=BaseViewRestriction.PASSWORD, password="口令2026"
        )
    assert refused(client.get(doc.url, HTTP_HOST="jtj.localhost"), doc.marker)
    client.post(
        f"/_util/authenticate_with_password/{restriction.id}/{page.id}/",
        {"password": "口令2026", "return_url": "/"},
        HTTP_HOST="jtj.localhost",
    )
    assert downloads(client.get(doc.url, HTTP_HOST="jtj.localhost"), doc.marker)


def test_attachment_of_a_login_only_page_is_for_the_sites_members(cluster, client, docs):
    doc = docs["public"]
    with schema_context("jtj"):
        page = ArticlePage.objects.get(title="有公开附件的文章")
        PageViewRestriction.objects.create(page=page, restriction_type=BaseViewRestriction.LOGIN)
    assert refused(client.get(doc.url, HTTP_HOST="jtj.localhost"), doc.marker)
    client.force_login(cluster.user("jyj", Role.EDITOR))  # signed in, but no role on jtj
    assert refused(client.get(doc.url, HTTP_HOST="jtj.localhost"), doc.marker)
    client.force_login(cluster.user("jtj", Role.EDITOR))
    assert downloads(client.get(doc.url, HTTP_HOST="jtj.localhost"), doc.marker)


def test_collection_restriction_admits_a_signed_in_member(cluster, client, docs):
    doc = docs["collection"]
    client.force_login(cluster.user("jtj", Role.EDITOR))
    assert downloads(client.get(doc.url, HTTP_HOST="jtj.localhost"), doc.marker)


def test_a_stored_name_from_before_the_site_prefix_keeps_working(cluster, client, runserver_media):
    """Names are not rewritten: an old ``documents/<name>`` downloads through the view, never by path."""
    with schema_context("jtj"):
        old = _doc("legacy", "旧附件.pdf")
        legacy_name = "documents/" + old.file.name.rsplit("/", 1)[1]
        target = settings.MEDIA_ROOT / legacy_name
        target.parent.mkdir(parents=True, exist_ok=True)
        (settings.MEDIA_ROOT / old.file.name).rename(target)
        get_document_model().objects.filter(pk=old.pk).update(file=legacy_name)
        content.article(content.column("gzdt"), title="引用旧附件的文章", attachments=_attach(old))
        doc = _as_doc(old, "legacy")
    assert doc.name == legacy_name
    assert downloads(client.get(doc.url, HTTP_HOST="jtj.localhost"), doc.marker)
    for host in HOSTS:
        assert refused(client.get(doc.media_url, HTTP_HOST=host), doc.marker), host


def test_demo_attachments_download_for_the_public(cluster, client):
    """The demo's attachment (实施细则.pdf) sits on published documents: public on every site."""
    from cms.models import DisclosureDocumentPage
    from demo.content import seed_content

    seed_content(step=lambda text: None)
    for code in ("portal", "jtj", "jyj"):
        with schema_context(code):
            page = next(p for p in DisclosureDocumentPage.objects.live() if p.attachments)
            document = page.attachments[0].value["document"]
            url, page_url = document.url, page.url
        html = client.get(page_url, HTTP_HOST=f"{code}.localhost").content.decode()
        assert f'href="{url}"' in html, code
        response = client.get(url, HTTP_HOST=f"{code}.localhost")
        assert response.status_code == 200 and body(response).startswith(b"%PDF"), code


# --- How the file is sent -------------------------------------------------------------------------


def test_behind_nginx_the_view_hands_the_file_over_by_x_accel_redirect(cluster, client, docs, settings):
    settings.CMS_DOCUMENTS_ACCEL_REDIRECT = "/_documents/"
    doc = docs["public"]
    response = client.get(doc.url, HTTP_HOST="jtj.localhost")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_documents/" + quote(doc.name)
    assert body(response) == b"" and response["Content-Length"] == "0"
    assert "inline" in response["Content-Disposition"] or "attachment" in response["Content-Disposition"]
    # A refused document gets no header nginx could follow.
    refused_response = client.get(docs["draft"].url, HTTP_HOST="jtj.localhost")
    assert refused(refused_response, docs["draft"].marker)
    assert not refused_response.has_header("X-Accel-Redirect")


def test_without_nginx_the_file_is_streamed(cluster, client, docs):
    response = client.get(docs["public"].url, HTTP_HOST="jtj.localhost")
    assert not response.has_header("X-Accel-Redirect")
    assert downloads(response, docs["public"].marker)


def test_no_shared_cache_keeps_a_document(cluster, client, docs):
    """A document stops being public when its page is withdrawn: a CDN copy must not outlive that."""
    response = client.get(docs["public"].url, HTTP_HOST="jtj.localhost")
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-cache"} <= cache_control
    client.force_login(cluster.user("jtj", Role.EDITOR))
    response = client.get(docs["draft"].url, HTTP_HOST="jtj.localhost")
    assert "private" in response["Cache-Control"]


# --- Links in every output ------------------------------------------------------------------------


def _no_file_urls(text, docs):
    """No document's file URL or stored name, in any spelling, is in the text."""
    return all(
        docs[case].media_url not in text and quote(docs[case].name) not in text and docs[case].name not in text
        for case in docs
        if case != "pages"
    )


def test_pages_search_and_static_output_link_the_document_view(cluster, client, docs, settings, tmp_path):
    public = docs["public"]
    with schema_context("jtj"):
        page_url = ArticlePage.objects.get(title="有公开附件的文章").url
        linked_url = ArticlePage.objects.get(title="正文链接附件的文章").url
    for url, doc in ((page_url, public), (linked_url, docs["richtext"])):
        html = client.get(url, HTTP_HOST="jtj.localhost").content.decode()
        assert f'href="{doc.url}"' in html, url
        assert "/media/jtj/documents" not in html and _no_file_urls(html, docs)
    for path in ("/search/?q=附件", "/api/search/?q=附件"):
        for host in ("jtj.localhost", "portal.localhost", settings.CMS_CLUSTER_HOST):
            text = client.get(path, HTTP_HOST=host).content.decode()
            assert "media/jtj/documents" not in text and _no_file_urls(text, docs), (host, path)
    # Static output writes pages only: no document file is copied, links go to the view.
    settings.CMS_STATIC_OUTPUT_DIR = tmp_path / "static-output"
    export_site(cluster.sites["jtj"])
    written = [path for path in settings.CMS_STATIC_OUTPUT_DIR.rglob("*") if path.is_file()]
    assert written
    markers = [docs[case].marker for case in docs if case != "pages"]
    basenames = {docs[case].name.rsplit("/", 1)[1] for case in docs if case != "pages"}
    pages_text = ""
    for path in written:
        data = path.read_bytes()
        assert path.name not in basenames and not any(marker in data for marker in markers), path
        text = data.decode("utf-8")
        assert "/media/jtj/documents" not in text and _no_file_urls(text, docs), path
        pages_text += text
    assert f'href="{public.url}"' in pages_text
