"""The review chain: steps by the site's groups only, nobody approves their own submission,
rejections return with a comment, edits restart the chain, the last approval publishes."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from wagtail.models import TaskState, Workflow, WorkflowState

from cms.models import ArticlePage
from publishing.catalogue.models import CatalogueEntry
from publishing.review.models import ConfidentialityRecord, ReviewStepTask, Step
from sites.models import Role
from tests.factories import user_with_role
from tests.refusals import is_refused

from .conftest import act, approve_all, current, draft, submit

pytestmark = pytest.mark.django_db


def test_every_site_has_the_three_steps_bound_to_its_own_groups(jtj):
    workflow = Workflow.objects.get()
    tasks = [task.specific for task in workflow.tasks]
    assert [type(task) for task in tasks] == [ReviewStepTask] * 3
    assert [task.step for task in tasks] == [Step.FIRST_REVIEW, Step.DEPARTMENT_REVIEW, Step.CONFIDENTIALITY_REVIEW]
    assert [list(task.groups.values_list("name", flat=True)) for task in tasks] == [
        ["jtj·审核员"],
        ["jtj·站点管理员"],
        ["jtj·保密审查员"],
    ]


def test_the_whole_chain_publishes_on_the_last_approval(jtj, people):
    page = draft(people["editor"])
    submit(page, people["editor"])
    assert current(page)[1].step == Step.FIRST_REVIEW
    act(page, people["reviewer"], "approve", comment="同意")
    assert current(page)[1].step == Step.DEPARTMENT_REVIEW
    act(page, people["site_admin"], "approve")
    assert current(page)[1].step == Step.CONFIDENTIALITY_REVIEW
    assert not ArticlePage.objects.get(pk=page.pk).live
    act(page, people["secrecy_officer"], "approve", disclosure_attribute="proactive", opinion="不涉密，同意公开。")
    page = ArticlePage.objects.get(pk=page.pk)
    assert page.live and not page.has_unpublished_changes
    assert CatalogueEntry.objects.filter(tenant=jtj, page_id=page.pk).exists()
    assert WorkflowState.objects.for_instance(page).get().status == WorkflowState.STATUS_APPROVED
    # The last approver has no publish permission: the chain itself publishes.
    assert not page.permissions_for_user(people["secrecy_officer"]).can_publish()


def test_each_step_only_by_its_group_of_this_site(cluster, jtj, people):
    page = draft(people["editor"])
    submit(page, people["editor"])
    state, task = current(page)
    outsiders = [
        people["site_admin"],  # the next step's group
        people["secrecy_officer"],
        cluster.user("jyj", Role.REVIEWER),  # the same role on another site
        cluster.users[(None, Role.WEB_OFFICE)],  # superusers too: they have force-publishing instead
    ]
    for user in outsiders:
        assert task.get_actions(page, user) == []
        with pytest.raises(PermissionDenied):
            task.on_action(state, user, "approve", comment="")
    assert [name for name, _label, _modal in task.get_actions(page, people["reviewer"])] == [
        "reject",
        "approve",
        "approve",
    ]
    assert TaskState.objects.get(pk=state.pk).status == TaskState.STATUS_IN_PROGRESS


def test_nobody_approves_their_own_submission(client, jtj, people):
    # One person who is both editor and reviewer of jtj writes and submits an article.
    user_with_role("jtj_both", Role.EDITOR, jtj)
    both = user_with_role("jtj_both", Role.REVIEWER, jtj)
    page = draft(both)
    submit(page, both)
    state, task = current(page)
    assert task.get_actions(page, both) == []
    # A forged POST to Wagtail's action view is refused, and nothing changes.
    client.force_login(both)
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", state.pk])
    response = client.post(url, {"comment": ""}, HTTP_HOST="jtj.localhost")
    # Wagtail's admin answers PermissionDenied with a redirect to the dashboard and a message.
    assert is_refused(response, "jtj.localhost")
    assert TaskState.objects.get(pk=state.pk).status == TaskState.STATUS_IN_PROGRESS
    # The review screen says why.
    text = client.get(reverse("review:page", args=[page.pk]), HTTP_HOST="jtj.localhost").content.decode()
    assert "不能审核自己提交的稿件" in text
    # Another reviewer may.
    act(page, people["reviewer"], "approve")
    assert current(page)[1].step == Step.DEPARTMENT_REVIEW


def test_whoever_edited_the_content_in_review_cannot_approve_and_the_chain_restarts(jtj, people):
    page = draft(people["editor"])
    submit(page, people["editor"])
    act(page, people["reviewer"], "approve")
    assert current(page)[1].step == Step.DEPARTMENT_REVIEW
    # The site admin (step 2's group) edits the content in review.
    edited = ArticlePage.objects.get(pk=page.pk)
    edited.body = "<p>会议强调，要压实安全生产责任，做好冬季保障。</p>"
    edited.save_revision(user=people["site_admin"])
    state, task = current(page)
    # An edit after approval needs approval again: back to the first step, on the new revision.
    assert task.step == Step.FIRST_REVIEW
    assert state.revision_id == ArticlePage.objects.get(pk=page.pk).latest_revision_id
    act(page, people["reviewer"], "approve")
    state, task = current(page)
    assert task.step == Step.DEPARTMENT_REVIEW
    assert task.get_actions(page, people["site_admin"]) == []
    with pytest.raises(PermissionDenied, match="修改过"):
        task.on_action(state, people["site_admin"], "approve")


def test_an_overwritten_revision_is_reviewed_again_from_the_first_step(jtj, people):
    """Autosave overwrites a revision in place: the id stays, the approvals must not."""
    page = draft(people["editor"])
    submit(page, people["editor"])
    act(page, people["reviewer"], "approve")
    act(page, people["site_admin"], "approve")
    latest = ArticlePage.objects.get(pk=page.pk)
    revision = latest.latest_revision
    latest.body = "<p>换了内容。</p>"
    latest.save_revision(user=revision.user, overwrite_revision=revision)
    state, task = current(page)
    assert state.revision_id == revision.pk
    assert task.step == Step.FIRST_REVIEW


def test_rejection_needs_a_comment_and_returns_the_item_to_the_editor(client, jtj, people):
    page = draft(people["editor"])
    submit(page, people["editor"])
    act(page, people["reviewer"], "approve")
    state, task = current(page)
    with pytest.raises(PermissionDenied, match="退回理由"):
        task.on_action(state, people["site_admin"], "reject", comment="")
    # The form view refuses an empty reason as well (no action taken).
    client.force_login(people["site_admin"])
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "reject", state.pk])
    client.post(url, {"comment": ""}, HTTP_HOST="jtj.localhost")
    assert TaskState.objects.get(pk=state.pk).status == TaskState.STATUS_IN_PROGRESS
    client.post(url, {"comment": "请补充会议时间。"}, HTTP_HOST="jtj.localhost")
    rejected = TaskState.objects.get(pk=state.pk)
    assert rejected.status == TaskState.STATUS_REJECTED and rejected.comment == "请补充会议时间。"
    workflow_state = WorkflowState.objects.for_instance(page).get()
    assert workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    # The editor sees the comment and resubmits after editing: the chain starts again at step 1.
    client.force_login(people["editor"])
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert "请补充会议时间。" in client.get(edit_url, HTTP_HOST="jtj.localhost").content.decode()
    edited = ArticlePage.objects.get(pk=page.pk)
    edited.body = "<p>会议于11月20日召开。</p>"
    edited.save_revision(user=people["editor"])
    WorkflowState.objects.get(pk=workflow_state.pk).resume(people["editor"])
    assert current(page)[1].step == Step.FIRST_REVIEW


def test_confidentiality_step_requires_attribute_and_opinion(jtj, people):
    page = draft(people["editor"])
    submit(page, people["editor"])
    act(page, people["reviewer"], "approve")
    act(page, people["site_admin"], "approve")
    state, task = current(page)
    officer = people["secrecy_officer"]
    with pytest.raises(PermissionDenied):
        task.on_action(state, officer, "approve", comment="同意")
    with pytest.raises(PermissionDenied, match="审查意见"):
        task.on_action(state, officer, "approve", disclosure_attribute="proactive", opinion="")
    with pytest.raises(PermissionDenied, match="不予公开"):
        task.on_action(state, officer, "approve", disclosure_attribute="not_public", opinion="涉及个人隐私")
    assert not ConfidentialityRecord.objects.exists()
    task.on_action(state, officer, "approve", disclosure_attribute="on_request", opinion="依申请公开。")
    record = ConfidentialityRecord.objects.get()
    assert record.approved and record.disclosure_attribute == "on_request" and record.reviewer == officer
    assert [step["step"] for step in record.steps] == ["jtj·编辑初审", "jtj·部门负责人复审", "jtj·保密审查"]
    assert [step["status"] for step in record.steps] == ["通过", "通过", "通过"]
    assert record.steps[0]["by"] == str(people["reviewer"]) and record.steps[0]["at"]
    assert TaskState.objects.get(pk=state.pk).comment == "公开属性：依申请公开；审查意见：依申请公开。"


def test_a_rejection_at_the_confidentiality_step_also_records_a_sheet(jtj, people):
    page = draft(people["editor"])
    submit(page, people["editor"])
    act(page, people["reviewer"], "approve")
    act(page, people["site_admin"], "approve")
    act(page, people["secrecy_officer"], "reject", disclosure_attribute="not_public", opinion="含内部工作安排。")
    record = ConfidentialityRecord.objects.get()
    assert not record.approved and record.get_disclosure_attribute_display() == "不予公开"
    assert WorkflowState.objects.for_instance(page).get().status == WorkflowState.STATUS_NEEDS_CHANGES
    assert not ArticlePage.objects.get(pk=page.pk).live


def test_the_approve_dialog_shows_the_findings_and_the_officers_form(client, jtj, people):
    page = draft(people["editor"], body="<p>联系人手机 13912345678。</p>")
    submit(page, people["editor"])
    act(page, people["reviewer"], "approve")
    act(page, people["site_admin"], "approve")
    state, _task = current(page)
    client.force_login(people["secrecy_officer"])
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", state.pk])
    response = client.get(url, HTTP_HOST="jtj.localhost")
    html = response.json()["html"]
    assert '<mark class="review-hit review-hit--review">13912345678</mark>' in html
    assert "公开属性" in html and "审查意见" in html and "不予公开" in html
    # Posting the dialog's form completes the chain.
    client.post(
        url, {"disclosure_attribute": "proactive", "opinion": "已核实为单位公开电话。"}, HTTP_HOST="jtj.localhost"
    )
    assert ArticlePage.objects.get(pk=page.pk).live


def test_sheet_is_printable_and_survives_later_edits(client, jtj, people):
    page = draft(people["editor"], title="关于冬季道路养护的通知")
    submit(page, people["editor"])
    approve_all(page, people)
    record = ConfidentialityRecord.objects.get()
    later = ArticlePage.objects.get(pk=page.pk)
    later.title = "关于冬季道路养护的通知（修订）"
    later.save_revision(user=people["editor"])
    client.force_login(people["site_admin"])
    html = client.get(reverse("review:sheet", args=[record.pk]), HTTP_HOST="jtj.localhost").content.decode()
    assert "保密审查单" in html and "@media print" in html
    assert "关于冬季道路养护的通知" in html and "（修订）" not in html
    assert "主动公开" in html and "不涉密，同意公开。" in html
    for person in (people["reviewer"], people["site_admin"], people["secrecy_officer"], people["editor"]):
        assert str(person) in html
    # Reachable from the page's admin: the header button and the review page link to it.
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]), HTTP_HOST="jtj.localhost").content.decode()
    assert reverse("review:page", args=[page.pk]) in edit
    review = client.get(reverse("review:page", args=[page.pk]), HTTP_HOST="jtj.localhost").content.decode()
    assert reverse("review:sheet", args=[record.pk]) in review


def test_the_sheet_is_not_readable_from_another_site(client, cluster, jtj, people):
    page = draft(people["editor"])
    submit(page, people["editor"])
    approve_all(page, people)
    record = ConfidentialityRecord.objects.get()
    client.force_login(cluster.user("jyj", Role.SITE_ADMIN))
    response = client.get(reverse("review:sheet", args=[record.pk]), HTTP_HOST="jyj.localhost")
    assert is_refused(response, "jyj.localhost")
    assert "不涉密" not in response.content.decode()
