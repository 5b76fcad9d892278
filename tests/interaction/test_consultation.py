"""意见征集: comments while open only, shown after moderation, escaped; feedback after closing; the
page cache; the moderation screen for this site's staff only; the column, the admin and the catalogue."""

import json

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from cms.models import ArticlePage, ColumnPage, InformationPage
from interaction.pages.models import CommentStatus, ConsultationComment, ConsultationPage, QuestionnairePage
from publishing.catalogue.models import CatalogueEntry
from tests.cms.content import column, home
from themes.models import Theme
from themes.services import assign_theme

from .participation import client_for, consultation, questionnaire

pytestmark = pytest.mark.django_db

ADMIN = "/admin/participation/comments/"


@pytest.fixture(autouse=True)
def _generous_limit(settings):
    # The per-address counter lives in the shared cache across tests; only the limit test limits.
    settings.CMS_PARTICIPATION_LIMIT_PER_IP = 1000


def make(cluster, code="jtj", state="open", **fields):
    with tenant_context(cluster.sites[code]):
        return consultation(state, **fields)


def post_comment(client, page, **data):
    """POST the form as a browser does: the page first (CSRF cookie), then the form with the token."""
    client.get(page.link)
    data.setdefault("text", "建议增加夜间公交线路。")
    data.setdefault("csrfmiddlewaretoken", client.cookies["csrftoken"].value)
    return client.post(page.link + "comment/", data)


def comments_of(cluster, page, code="jtj"):
    with tenant_context(cluster.sites[code]):
        return list(ConsultationComment.objects.filter(page_id=page.pk))


def html_of(client, page):
    response = client.get(page.link)
    assert response.status_code == 200
    return response.content.decode()


def test_a_comment_is_accepted_while_open_and_refused_before_and_after(cluster):
    pages = {state: make(cluster, state=state, title=f"征求意见 {state}") for state in ("open", "upcoming", "closed")}
    client = client_for(cluster, "jtj", enforce_csrf_checks=True)
    response = post_comment(client, pages["open"], name="王五", contact="13812345678")
    assert response.status_code == 302 and "sent=1" in response["Location"]
    [comment] = comments_of(cluster, pages["open"])
    assert comment.status == CommentStatus.PENDING and comment.name == "王五" and comment.contact == "13812345678"
    assert "意见经审核后公开" in client.get(response["Location"]).content.decode()
    for state in ("upcoming", "closed"):
        refused = post_comment(client, pages[state])
        assert refused.status_code == 403, state
        assert ("尚未开始" if state == "upcoming" else "已结束") in refused.content.decode()
        assert comments_of(cluster, pages[state]) == [], state


def test_the_form_needs_its_csrf_token(cluster):
    page = make(cluster)
    client = client_for(cluster, "jtj", enforce_csrf_checks=True)
    assert client.post(page.link + "comment/", {"text": "没有令牌"}).status_code == 403
    assert comments_of(cluster, page) == []
    assert post_comment(client, page).status_code == 302  # positive control: with the token


def test_the_contact_is_encrypted_at_rest(cluster):
    page = make(cluster)
    post_comment(client_for(cluster, "jtj"), page, contact="13812345678")
    with tenant_context(cluster.sites["jtj"]):
        with connection.cursor() as cursor:
            cursor.execute("SELECT contact FROM interaction_pages_consultationcomment WHERE page_id = %s", [page.pk])
            [(stored,)] = cursor.fetchall()
    assert stored and "13812345678" not in stored


def test_a_comment_shows_only_after_approval_escaped_and_without_the_contact(cluster):
    page = make(cluster)
    client = client_for(cluster, "jtj")
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>建议延长末班车'
    post_comment(client, page, text=hostile, name="赵六", contact="13812345678")
    html = html_of(client, page)
    assert "建议延长末班车" not in html and 'data-count="received">1<' in html
    [comment] = comments_of(cluster, page)
    with tenant_context(cluster.sites["jtj"]):
        comment.approve()
    html = html_of(client, page)
    assert "建议延长末班车" in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<script>alert("x")' not in html and "<img src=x" not in html
    assert "赵*" in html and "赵六" not in html and "13812345678" not in html


def test_a_rejected_comment_never_shows(cluster):
    page = make(cluster)
    client = client_for(cluster, "jtj")
    post_comment(client, page, text="与本条例无关的广告内容")
    [comment] = comments_of(cluster, page)
    with tenant_context(cluster.sites["jtj"]):
        comment.reject()
    assert "与本条例无关的广告内容" not in html_of(client, page)


def test_feedback_and_counts_are_published_after_closing(cluster):
    feedback = "<p>共收到意见 2 条，采纳 1 条；未采纳的意见已逐条说明理由。</p>"
    open_page = make(cluster, title="征求意见中", feedback=feedback)
    closed_page = make(cluster, state="closed", title="已结束的征求意见", feedback=feedback)
    with tenant_context(cluster.sites["jtj"]):
        closed_page.add_comment(text="建议一").approve(adopted=True)
        closed_page.add_comment(text="建议二")
    client = client_for(cluster, "jtj")
    assert "未采纳的意见已逐条说明理由" not in html_of(client, open_page)
    html = html_of(client, closed_page)
    assert "意见采纳情况" in html and "未采纳的意见已逐条说明理由" in html
    assert 'data-count="received">2<' in html and 'data-count="adopted">1<' in html
    assert 'name="text"' not in html and "已结束" in html


def test_hostile_rich_text_in_the_draft_is_sanitised(cluster):
    page = make(cluster, body='<p>条文</p><script>alert(1)</script><p onclick="x()">第二条</p>')
    with tenant_context(cluster.sites["jtj"]):
        stored = ConsultationPage.objects.get(pk=page.pk).body
    assert "<script" not in stored and "onclick" not in stored and "第二条" in stored


def test_the_honeypot_and_the_length_limit(cluster):
    page = make(cluster)
    client = client_for(cluster, "jtj")
    assert post_comment(client, page, homepage="http://spam.example").status_code == 302
    assert comments_of(cluster, page) == []
    too_long = post_comment(client, page, text="长" * 2001)
    assert too_long.status_code == 400 and "不能超过 2000 字" in too_long.content.decode()
    assert comments_of(cluster, page) == []
    assert post_comment(client, page, text="长" * 2000).status_code == 302  # positive control


def test_comments_are_rate_limited_per_address(cluster, settings):
    settings.CMS_PARTICIPATION_LIMIT_PER_IP = 2
    page = make(cluster)
    flood = client_for(cluster, "jtj", REMOTE_ADDR="198.51.100.17")
    assert [post_comment(flood, page, text=f"第{i}条").status_code for i in range(3)] == [302, 302, 429]
    # Another citizen is not blocked by the flood.
    assert post_comment(client_for(cluster, "jtj", REMOTE_ADDR="198.51.100.18"), page).status_code == 302
    assert len(comments_of(cluster, page)) == 3


def test_open_pages_are_never_cached_and_moderation_purges_a_closed_one(cluster):
    open_page = make(cluster)
    client = client_for(cluster, "jtj")
    first = client.get(open_page.link)
    assert "private" in first["Cache-Control"] and client.get(open_page.link).get("X-Cache") != "HIT"

    closed_page = make(cluster, state="closed", title="已结束的征求意见")
    with tenant_context(cluster.sites["jtj"]):
        comment = closed_page.add_comment(text="建议设置公交专用道")
    reader = client_for(cluster, "jtj")
    reader.get(closed_page.link)
    cached = reader.get(closed_page.link)
    assert cached["X-Cache"] == "HIT" and "建议设置公交专用道" not in cached.content.decode()

    staff = client_for(cluster, "jtj", cluster.user("jtj", "editor"))
    answer = staff.post(f"/admin/participation/comments/{comment.pk}/", {"action": "adopt"})
    assert answer.status_code == 302
    fresh = reader.get(closed_page.link)
    assert fresh.get("X-Cache") != "HIT"
    html = fresh.content.decode()
    assert "建议设置公交专用道" in html and 'data-count="adopted">1<' in html


def test_the_moderation_screen_is_for_this_sites_staff_only(cluster):
    page = make(cluster)
    post_comment(client_for(cluster, "jtj"), page, text="本站的待审意见", contact="13812345678")
    other = make(cluster, code="jyj", title="教育局征求意见")
    post_comment(client_for(cluster, "jyj"), other, text="教育局的待审意见")
    [comment] = comments_of(cluster, page)

    for role in ("editor", "reviewer", "site_admin", "handler"):
        html = client_for(cluster, "jtj", cluster.user("jtj", role)).get(ADMIN).content.decode()
        assert "本站的待审意见" in html and "教育局的待审意见" not in html, role
    # The contact: in full for the handler only, masked for the other moderators.
    assert "13812345678" in client_for(cluster, "jtj", cluster.user("jtj", "handler")).get(ADMIN).content.decode()
    editor_view = client_for(cluster, "jtj", cluster.user("jtj", "editor")).get(ADMIN).content.decode()
    assert "13812345678" not in editor_view and "138****5678" in editor_view
    assert client_for(cluster, "jtj", cluster.user(None, "web_office")).get(ADMIN).status_code == 200

    anonymous = client_for(cluster, "jtj").get(ADMIN)
    assert anonymous.status_code == 302 and (
        "/login/" in anonymous["Location"] or "/sso/check/" in anonymous["Location"]
    )
    assert "本站的待审意见" not in anonymous.content.decode()
    assert client_for(cluster, "jtj", cluster.user("jtj", "secrecy_officer")).get(ADMIN).status_code in (302, 403)
    for role in ("editor", "site_admin", "handler"):
        outsider = client_for(cluster, "jtj", cluster.user("jyj", role))
        refused = outsider.get(ADMIN)
        assert refused.status_code in (302, 403), role
        assert "本站的待审意见" not in refused.content.decode()
        outsider.post(f"/admin/participation/comments/{comment.pk}/", {"action": "approve"})
    assert comments_of(cluster, page)[0].status == CommentStatus.PENDING
    # Positive control: this site's editor approves it.
    client_for(cluster, "jtj", cluster.user("jtj", "editor")).post(
        f"/admin/participation/comments/{comment.pk}/", {"action": "approve"}
    )
    assert comments_of(cluster, page)[0].status == CommentStatus.APPROVED


def test_an_editor_adds_a_consultation_under_the_interaction_column_in_the_admin(cluster):
    with tenant_context(cluster.sites["jtj"]):
        hdjl = column("hdjl")
        assert ConsultationPage.can_create_at(hdjl) and QuestionnairePage.can_create_at(hdjl)
        assert not ConsultationPage.can_create_at(home())
        # The column's own types are still there.
        allowed = ColumnPage.allowed_subpage_models()
        assert {ColumnPage, ArticlePage, InformationPage, ConsultationPage, QuestionnairePage} <= set(allowed)
        assert ArticlePage.can_create_at(column("gzdt"))
    editor = client_for(cluster, "jtj", cluster.user("jtj", "editor"))
    choices = editor.get(f"/admin/pages/{hdjl.pk}/add_subpage/").content.decode()
    assert "意见征集" in choices and "调查问卷" in choices and "文章" in choices
    add_url = f"/admin/pages/add/interaction_pages/consultationpage/{hdjl.pk}/"
    assert editor.get(add_url).status_code == 200
    body = {
        "blocks": [
            {
                "key": "a1b2c",
                "text": "第一条 草案正文。",
                "type": "unstyled",
                "depth": 0,
                "inlineStyleRanges": [],
                "entityRanges": [],
            }
        ],
        "entityMap": {},
    }
    response = editor.post(
        add_url,
        {
            "title": "关于《停车管理办法（草案）》征求意见",
            "slug": "",
            "summary": "",
            "organiser": "",
            "opens_at": "2026-12-01 09:00",
            "closes_at": "2026-12-31 18:00",
            "body": json.dumps(body),
            "feedback": json.dumps({"blocks": [], "entityMap": {}}),
            "attachments-count": "0",
            "search_description": "",
            "seo_title": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    with tenant_context(cluster.sites["jtj"]):
        created = ConsultationPage.objects.get(title="关于《停车管理办法（草案）》征求意见")
        assert created.get_parent().pk == hdjl.pk and "草案正文" in created.body
    # Another column type still opens its add screen.
    assert editor.get(f"/admin/pages/add/cms/articlepage/{hdjl.pk}/").status_code == 200


def test_a_consultation_is_listed_in_its_column_and_in_the_catalogue(cluster):
    page = make(cluster, feedback="<p>采纳情况尚未公布的文字</p>")
    with tenant_context(cluster.sites["jtj"]):
        assert page.pk in [item.pk for item in column("hdjl").items()]
    entry = CatalogueEntry.objects.get(tenant=cluster.sites["jtj"], page_id=page.pk)
    assert entry.content_type == "consultation" and entry.content_type_label == "意见征集"
    assert "第一条" in entry.body_text and "采纳情况尚未公布" not in entry.body_text
    assert page.title in client_for(cluster, "jtj").get(column_url(cluster)).content.decode()


def column_url(cluster):
    with tenant_context(cluster.sites["jtj"]):
        return column("hdjl").url


def test_both_page_types_render_in_the_red_template_set(cluster):
    page = make(cluster)
    with tenant_context(cluster.sites["jtj"]):
        survey = questionnaire()
    client = client_for(cluster, "jtj")
    assert "theme-blue" in html_of(client, page)  # positive control: the session sites start blue
    assign_theme(Theme.objects.get(slug="red"), cluster.sites["jtj"])
    for each in (page, survey):
        html = html_of(client, each)
        assert "theme-red" in html and "participation.css" in html and each.title in html
