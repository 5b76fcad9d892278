"""A disclosure document on a site without an org code is refused with a message, never an error page."""

import json

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.middleware import PublishRefusalMiddleware
from cms.models import DisclosureDocumentPage, IndexNumberError
from sites.middleware import invalidate_domain_map
from sites.models import Tenant
from tests.factories import break_glass_user

from .content import column

pytestmark = pytest.mark.django_db
HOST = {"HTTP_HOST": "jtj.localhost"}
TITLE = "关于印发《城市公交线网优化实施方案》的通知"


@pytest.fixture
def no_org_code(cluster):
    """jtj without an organisation code (rolled back with the test)."""
    Tenant.objects.filter(code="jtj").update(org_code="")
    invalidate_domain_map()
    yield
    invalidate_domain_map()


def document_form(**actions):
    data = nested_form_data(
        {
            "title": TITLE,
            "slug": "",
            "publisher": "",
            "written_date": "2026-11-18",
            "document_number": "测交发〔2026〕31号",
            "topic_category": "industry",
            "genre": "notice",
            "keywords": "公交",
            "disclosure_method": "proactive",
            "validity": "valid",
            "summary": "",
            "body": rich_text("<p>现将方案印发给你们。</p>"),
            "attachments": streamfield([]),
            "comments": inline_formset([]),
        }
    )
    data.update(actions)
    return data


def add_url():
    connection.set_tenant(Tenant.objects.get(code="jtj"))
    url = reverse("wagtailadmin_pages:add", args=("cms", "disclosuredocumentpage", column("fdzdgk").pk))
    connection.set_schema_to_public()
    return url


def test_submitting_for_review_is_refused_with_the_reason(no_org_code, cluster, client):
    url = add_url()
    client.force_login(cluster.user("jtj", "editor"))
    response = client.post(url, document_form(**{"action-submit": "1"}), **HOST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "本站尚未设置组织机构代码" in html and "保存草稿" in html
    connection.set_tenant(cluster.sites["jtj"])
    assert not DisclosureDocumentPage.objects.filter(title=TITLE).exists()


def test_a_draft_can_still_be_saved(no_org_code, cluster, client):
    url = add_url()
    client.force_login(cluster.user("jtj", "editor"))
    assert client.post(url, document_form(), **HOST).status_code == 302
    connection.set_tenant(cluster.sites["jtj"])
    page = DisclosureDocumentPage.objects.get(title=TITLE)
    assert not page.live and page.index_number is None


def test_publishing_from_the_edit_screen_is_refused_with_the_reason(no_org_code, cluster, client):
    url = add_url()
    client.force_login(break_glass_user("oncall"))  # may publish directly (三员分立: only a break-glass superuser)
    assert client.post(url, document_form(), **HOST).status_code == 302
    connection.set_tenant(cluster.sites["jtj"])
    page = DisclosureDocumentPage.objects.get(title=TITLE)
    connection.set_schema_to_public()
    edit = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    response = client.post(edit, document_form(**{"action-publish": "1"}), **HOST)
    assert response.status_code == 200 and "本站尚未设置组织机构代码" in response.content.decode()
    connection.set_tenant(cluster.sites["jtj"])
    page.refresh_from_db()
    assert not page.live and page.index_number is None


def test_with_an_org_code_the_same_document_is_published(cluster, client):
    url = add_url()
    client.force_login(break_glass_user("oncall"))
    assert client.post(url, document_form(**{"action-publish": "1"}), **HOST).status_code == 302
    connection.set_tenant(cluster.sites["jtj"])
    page = DisclosureDocumentPage.objects.get(title=TITLE)
    assert page.live and page.index_number.startswith(f"{cluster.sites['jtj'].org_code}/")


def with_session(request):
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    MessageMiddleware(lambda r: HttpResponse()).process_request(request)
    return request


def test_other_ways_of_publishing_end_in_a_message_not_an_error_page():
    """The review chain's last approval, bulk publishing: the refusal arrives as an exception."""
    middleware = PublishRefusalMiddleware(lambda request: HttpResponse())
    error = IndexNumberError("站点“测试”未设置组织机构代码，无法生成政府信息公开索引号。")
    factory = RequestFactory()

    request = with_session(factory.post("/admin/pages/42/workflow/action/approve/7/"))
    response = middleware.process_exception(request, error)
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_pages:edit", args=(42,))
    [message] = list(get_messages(request))
    assert "未能发布" in str(message) and "组织机构代码" in str(message)

    # Wagtail's workflow dialog posts with XMLHttpRequest and follows the "redirect" of its JSON.
    request = with_session(
        factory.post("/admin/pages/42/workflow/action/approve/7/", headers={"x-requested-with": "XMLHttpRequest"})
    )
    answer = json.loads(middleware.process_exception(request, error).content)
    assert answer == {"step": "success", "redirect": reverse("wagtailadmin_pages:edit", args=(42,))}

    request = with_session(factory.post("/admin/bulk/wagtailcore/page/publish/", headers={"referer": "/admin/pages/"}))
    assert middleware.process_exception(request, error)["Location"] == "/admin/pages/"

    # Anything else, or outside the admin, is not this middleware's business.
    assert middleware.process_exception(with_session(factory.post("/admin/pages/42/")), ValueError()) is None
    assert middleware.process_exception(with_session(factory.get("/zwdt/")), error) is None
