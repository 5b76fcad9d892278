"""The editor's and the reviewer's screens: 提交审核 is the main button, a decision is confirmed,
and 审核信息 shows the text under review (sanitised) with its attachments."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.models import Revision, TaskState

from publishing.review.models import Step
from sites.models import Tenant
from tests.cms import content
from tests.factories import user_with_role
from tests.refusals import is_refused

from .conftest import current, draft, submit

pytestmark = pytest.mark.django_db

HOST = {"HTTP_HOST": "jtj.localhost"}
OFFICER_FORM = {"disclosure_attribute": "proactive", "opinion": "不涉密，同意公开。"}


def main_button(html):
    """The name of the action menu's main button: the first action of the footer's menu."""
    footer = html[html.index("data-side-panel-toggle") if False else html.index("<footer") :]
    names = {"action-submit": footer.find('name="action-submit"'), "action-save": footer.find("action-save")}
    names["approve"] = footer.find('data-workflow-action-name="approve"')
    shown = {name: index for name, index in names.items() if index >= 0}
    return min(shown, key=shown.get)


def messages_of(response):
    """The messages this response added (earlier ones may still wait in the message storage)."""
    storage = get_messages(response.wsgi_request)
    return [(message.level_tag, str(message)) for message in storage._queued_messages]


def test_submit_for_review_is_the_main_button_of_the_edit_and_create_screens(client, jtj, people):
    page = draft(people["editor"])
    client.force_login(people["editor"])
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]), **HOST).content.decode()
    assert main_button(edit) == "action-submit"
    assert "action-save" in edit  # 保存草稿 is still there, under the arrow
    column = content.column("gzdt")
    create = client.get(reverse("wagtailadmin_pages:add", args=("cms", "articlepage", column.pk)), **HOST)
    assert main_button(create.content.decode()) == "action-submit"


def test_the_reviewer_in_the_edit_screen_has_approve_as_the_main_button(client, jtj, people):
    page = draft(people["editor"])
    submit(page, people["editor"])
    client.force_login(people["reviewer"])
    html = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]), **HOST).content.decode()
    assert main_button(html) == "approve"


def _decide(client, page, action, data):
    state, _task = current(page)
    url = reverse("review:decide", args=[page.pk, action, state.pk])
    return state, client.post(url + f"?next={reverse('review:page', args=[page.pk])}", data, **HOST)


def test_each_approval_is_confirmed_with_where_the_item_went(client, jtj, people):
    page = draft(people["editor"], title="市交通运输局召开冬季保畅工作会议")
    submit(page, people["editor"])
    client.force_login(people["reviewer"])
    state, response = _decide(client, page, "approve", {"comment": "同意"})
    assert response.status_code == 302 and response["Location"] == reverse("review:page", args=[page.pk])
    assert TaskState.objects.get(pk=state.pk).status == TaskState.STATUS_APPROVED
    assert messages_of(response) == [
        ("success", "已通过“市交通运输局召开冬季保畅工作会议”的jtj·编辑初审，已转入下一环节：jtj·部门负责人复审。")
    ]
    client.force_login(people["site_admin"])
    _state, response = _decide(client, page, "approve", {"comment": ""})
    assert "已转入下一环节：jtj·保密审查" in messages_of(response)[0][1]
    assert current(page)[1].step == Step.CONFIDENTIALITY_REVIEW
    client.force_login(people["secrecy_officer"])
    _state, response = _decide(client, page, "approve", OFFICER_FORM)
    assert messages_of(response) == [
        ("success", "已通过“市交通运输局召开冬季保畅工作会议”的jtj·保密审查，审核流程完成，稿件已发布。")
    ]
    page.refresh_from_db()
    assert page.live
    # The message is shown on the screen the reviewer lands on.
    landed = client.get(response["Location"], **HOST).content.decode()
    assert "审核流程完成，稿件已发布" in landed


def test_a_rejection_is_confirmed_as_a_warning(client, jtj, people):
    page = draft(people["editor"])
    submit(page, people["editor"])
    client.force_login(people["reviewer"])
    _state, response = _decide(client, page, "reject", {"comment": "请补充会议时间。"})
    assert [level for level, _text in messages_of(response)] == ["warning"]
    assert "已退回" in messages_of(response)[0][1]


def test_a_forged_decision_is_refused_and_not_confirmed(client, jtj, people):
    page = draft(people["editor"])
    submit(page, people["editor"])
    # The submitter may not approve; nor may a reviewer of another site.
    for user in (people["editor"], content_outsider(people)):
        client.force_login(user)
        state, response = _decide(client, page, "approve", {"comment": ""})
        assert is_refused(response, "jtj.localhost")
        assert not any(level == "success" for level, _text in messages_of(response))
        assert TaskState.objects.get(pk=state.pk).status == TaskState.STATUS_IN_PROGRESS
    # Only POST.
    client.force_login(people["reviewer"])
    state, _task = current(page)
    assert client.get(reverse("review:decide", args=[page.pk, "approve", state.pk]), **HOST).status_code == 405


def content_outsider(people):
    return user_with_role("jyj_reviewer_outsider", "reviewer", Tenant.objects.get(code="jyj"))


def test_the_review_screen_shows_the_text_under_review(client, jtj, people):
    document = content.document("关于冬季道路运输安全检查的实施方案.pdf")
    page = draft(
        people["editor"],
        title="市交通运输局部署冬季道路运输安全检查",
        body="<p>会议要求<strong>压实责任</strong>。</p>",
        summary="部署冬季安全检查。",
        attachments=[("attachment", {"document": document, "title": "实施方案"})],
    )
    submit(page, people["editor"])
    client.force_login(people["reviewer"])
    html = client.get(reverse("review:page", args=[page.pk]), **HOST).content.decode()
    section = html[html.index("稿件内容") : html.index("<h2>保密检查</h2>")]
    assert "市交通运输局部署冬季道路运输安全检查" in section
    assert "部署冬季安全检查。" in section
    assert "<strong>压实责任</strong>" in section
    assert "关于冬季道路运输安全检查的实施方案.pdf" in section and document.url in section


def test_the_review_screen_never_renders_hostile_html_from_a_revision(client, jtj, people):
    page = draft(people["editor"], body="<p>正文</p>")
    submit(page, people["editor"])
    state, _task = current(page)
    # A revision stored before the sanitiser existed (written past the model's save).
    revision = Revision.objects.get(pk=state.revision_id)
    content_json = dict(revision.content)
    content_json["body"] = (
        '<p>正文<img src="x" onerror="alert(1)"></p><script>alert(2)</script><a href="javascript:alert(3)">链接</a>'
    )
    Revision.objects.filter(pk=revision.pk).update(content=content_json)
    client.force_login(people["reviewer"])
    html = client.get(reverse("review:page", args=[page.pk]), **HOST).content.decode()
    section = html[html.index("稿件内容") : html.index("<h2>保密检查</h2>")]
    assert "正文" in section and "链接" in section
    for hostile in ("onerror", "<script", "alert(2)", "javascript:"):
        assert hostile not in section, hostile
