"""The review chain's rules (先审后发, 一事一审, 谁公开谁审查) on Wagtail's workflow machinery.

* A step is done only by this site's group for the step (a superuser is no exception: the web
  office has force-publishing, with a reason, instead).
* Nobody approves their own submission: the submitter (``WorkflowState.requested_by``) and anyone
  who wrote a revision of the content under review may not act; the actions are not offered and
  ``act`` refuses a forged request.
* The chain runs in order on the content as it is now: an approval counts only for the revision
  it was given on and only if the revision did not change afterwards (an autosave overwrites a
  revision in place). Any edit in review restarts the chain from the first step.
* Every step start scans the revision; a block verdict rejects at once with the findings.
* The last approval publishes (the chain is the authority, so no publish permission is needed),
  and only if every step approved the current content and the scan does not block.
"""

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Revision, TaskState, WorkflowState

from sites.models import SiteGroup

from . import forms, scanning
from .models import STEP_ROLES, ConfidentialityRecord, Step

SYSTEM_NAME = "系统"


class PublishBlocked(PermissionDenied):
    """涉密信息不上网: the scan of the revision blocks it; nobody may publish it."""


def display_name(user):
    if user is None:
        return SYSTEM_NAME
    return user.get_full_name() or user.get_username()


# --- Who may act -----------------------------------------------------------------------------------


def is_step_member(task, user):
    """True when ``user`` belongs to the task's group that is bound to this site for the step's role."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    role = STEP_ROLES.get(getattr(task, "step", ""))
    bound = SiteGroup.objects.filter(tenant__schema_name=connection.schema_name)
    if role:
        bound = bound.filter(role=role)
    return task.groups.filter(id__in=bound.values("group_id"), user=user).exists()


def content_authors(page):
    """Ids of the users who wrote a revision of the content not yet live (the content under review)."""
    revisions = Revision.objects.filter(base_content_type=page.get_base_content_type(), object_id=str(page.pk))
    if page.live_revision_id:
        revisions = revisions.filter(id__gt=page.live_revision_id)
    return set(revisions.exclude(user=None).values_list("user_id", flat=True).distinct())


def current_state(page):
    """The page's workflow state in progress, or None."""
    return (
        WorkflowState.objects.for_instance(page)
        .filter(status=WorkflowState.STATUS_IN_PROGRESS)
        .select_related("current_task_state", "requested_by")
        .first()
    )


def refusal(task, workflow_state, page, user):
    """Why ``user`` may not act on this step of ``page`` now, or None when they may."""
    if not is_step_member(task, user):
        return f"只有本站“{task.get_step_display()}”角色组的成员可以办理此环节。"
    if workflow_state is not None and workflow_state.requested_by_id == user.pk:
        return "您是本稿件的提交人，不能审核自己提交的稿件。"
    if user.pk in content_authors(page):
        return "您修改过本稿件的内容，不能审核。"
    return None


def actions_for(task, obj, user):
    """Wagtail's ``get_actions``: none at all for people who may not act."""
    page = obj.specific if hasattr(obj, "specific") else obj
    if refusal(task, current_state(page), page, user):
        return []
    if task.step == Step.CONFIDENTIALITY_REVIEW:
        # Both need 公开属性 and 审查意见: both actions open the form.
        return [("reject", "退回修改", True), ("approve", "通过保密审查", True)]
    return [("reject", "退回修改", True), ("approve", "通过", False), ("approve", "通过并填写意见", True)]


# --- Running the chain -----------------------------------------------------------------------------


def valid_approval(workflow_state, task, revision):
    """The approval of ``task`` that still holds for ``revision`` as it is now, or None."""
    return (
        TaskState.objects.filter(
            workflow_state=workflow_state,
            task=task,
            status=TaskState.STATUS_APPROVED,
            revision=revision,
            finished_at__gte=revision.created_at,
        )
        .select_related("finished_by")
        .order_by("-finished_at")
        .first()
    )


def first_step_needing_approval(workflow_state, revision):
    for task in workflow_state.workflow.tasks.filter(active=True):
        if valid_approval(workflow_state, task, revision) is None:
            return task
    return None


def start_step(task, workflow_state, user=None):
    """Start the earliest step the current content still needs, scanning it first."""
    revision = workflow_state.content_object.get_latest_revision()
    first = first_step_needing_approval(workflow_state, revision)
    if first is not None and first.pk != task.pk:
        return first.specific.start(workflow_state, user=user)
    state = task._start_here(workflow_state, user=user)
    report = scanning.report_for(state.revision)
    if report.is_blocking:
        # Rejected by the system (no user): Wagtail then returns the item to the editor with
        # the findings as the comment of the rejection.
        state.reject(user=None, update=False, comment=scanning.findings_comment(report))
    return state


def restart_after_edit(page):
    """An edit in review: cancel the step in progress; the chain starts again from its first step."""
    workflow_state = current_state(page)
    state = workflow_state.current_task_state if workflow_state else None
    if state is None or state.status != TaskState.STATUS_IN_PROGRESS:
        return False
    if state.revision_id == page.latest_revision_id and page.latest_revision_created_at <= state.started_at:
        return False
    editor = Revision.objects.filter(pk=page.latest_revision_id).values_list("user", flat=True).first()
    from django.contrib.auth import get_user_model

    editor = get_user_model().objects.filter(pk=editor).first()
    log(
        instance=page,
        action="review.restart",
        user=editor,
        data={"task": {"id": state.task_id, "title": state.task.name}},
        revision=page.latest_revision,
    )
    state.specific.cancel(user=editor, comment="审核期间内容被修改，从第一个环节重新审核。")
    return True


@transaction.atomic
def act(task, task_state, user, action_name, **data):
    """Wagtail's ``on_action``, with every rule checked again: a request may be forged."""
    workflow_state = WorkflowState.objects.select_for_update().get(pk=task_state.workflow_state_id)
    task_state = TaskState.objects.get(pk=task_state.pk)
    if (
        task_state.task_id != task.pk
        or task_state.status != TaskState.STATUS_IN_PROGRESS
        or workflow_state.status != WorkflowState.STATUS_IN_PROGRESS
        or workflow_state.current_task_state_id != task_state.pk
    ):
        raise PermissionDenied("该稿件当前不在这个审核环节。")
    page = workflow_state.content_object.specific
    reason = refusal(task, workflow_state, page, user)
    if reason:
        raise PermissionDenied(reason)
    if action_name not in ("approve", "reject"):
        raise PermissionDenied("未知的审核操作。")
    form = forms.form_for(task.step, action_name)(data=data)
    if not form.is_valid():
        raise PermissionDenied("；".join(error for errors in form.errors.values() for error in errors))
    values = form.cleaned_data
    if action_name == "approve":
        if task_state.revision_id != page.latest_revision_id:
            raise PermissionDenied("稿件内容已修改，请重新审核。")
        if scanning.report_for(task_state.revision).is_blocking:
            raise PublishBlocked("保密检查结论为禁止发布，不能通过。")
    if task.step == Step.CONFIDENTIALITY_REVIEW:
        record = record_confidentiality(task_state, workflow_state, page, user, action_name == "approve", values)
        comment = f"公开属性：{record.get_disclosure_attribute_display()}；审查意见：{record.opinion}"
    else:
        comment = values.get("comment", "")
    if action_name == "approve":
        task_state.approve(user=user, comment=comment)
    else:
        task_state.reject(user=user, comment=comment)


def step_history(workflow_state, revision, current=None):
    """Each step of the chain with who decided it and when (the 审查单's 审核环节 table)."""
    rows = []
    for task in workflow_state.workflow.tasks.filter(active=True):
        if current is not None and task.pk == current["task_id"]:
            rows.append({key: value for key, value in current.items() if key != "task_id"})
            continue
        approval = valid_approval(workflow_state, task, revision)
        if approval is None:
            rows.append({"step": task.name, "status": "未审核", "by": "", "at": "", "comment": ""})
        else:
            rows.append(
                {
                    "step": task.name,
                    "status": "通过",
                    "by": display_name(approval.finished_by),
                    "at": approval.finished_at.isoformat(),
                    "comment": approval.comment,
                }
            )
    return rows


def record_confidentiality(task_state, workflow_state, page, user, approved, values):
    revision = task_state.revision
    report = scanning.report_for(revision)
    now = timezone.now()
    current = {
        "task_id": task_state.task_id,
        "step": task_state.task.name,
        "status": "通过" if approved else "退回修改",
        "by": display_name(user),
        "at": now.isoformat(),
        "comment": values["opinion"],
    }
    return ConfidentialityRecord.objects.create(
        page=page,
        page_title=page.title,
        page_type=str(page._meta.verbose_name),
        revision=revision,
        task_state=task_state,
        approved=approved,
        disclosure_attribute=values["disclosure_attribute"],
        opinion=values["opinion"],
        reviewer=user,
        reviewer_name=display_name(user),
        reviewed_at=now,
        submitted_by_name=display_name(workflow_state.requested_by) if workflow_state.requested_by_id else "",
        submitted_at=workflow_state.created_at,
        scan_verdict=report.verdict,
        scan_findings=report.findings,
        scan_unchecked=report.unchecked,
        steps=step_history(workflow_state, revision, current=current),
    )


def publish_approved(workflow_state, user=None):
    """The chain's last approval (``WAGTAIL_FINISH_WORKFLOW_ACTION``): publish the approved content."""
    page = workflow_state.content_object.specific
    revision = page.get_latest_revision()
    missing = first_step_needing_approval(workflow_state, revision)
    if missing is not None:
        raise PermissionDenied(f"“{missing.name}”尚未审核当前内容，不能发布。")
    if scanning.report_for(revision).is_blocking:
        raise PublishBlocked("保密检查结论为禁止发布，不能发布。")
    revision.publish(user=user, skip_permission_checks=True)


# --- What the person who decided is told -----------------------------------------------------------


def last_decision(page, user):
    """The step of ``page``'s chain that ``user`` decided last, or None."""
    return (
        TaskState.objects.filter(
            workflow_state__in=WorkflowState.objects.for_instance(page),
            finished_by=user,
            status__in=(TaskState.STATUS_APPROVED, TaskState.STATUS_REJECTED),
        )
        .select_related("task", "workflow_state")
        .order_by("-finished_at", "-id")
        .first()
    )


def decision_message(task_state):
    """``(level, text)`` confirming the decision recorded on ``task_state``; None while undecided.

    After 通过 the reviewer learns where the item went: the next step by name, or published.
    """
    task_state = TaskState.objects.select_related("task", "workflow_state").get(pk=task_state.pk)
    workflow_state = task_state.workflow_state
    page = workflow_state.content_object
    title = page.specific.title if page is not None else ""
    step = task_state.task.name
    if task_state.status == TaskState.STATUS_REJECTED:
        return "warning", f"已退回“{title}”（{step}）：编辑修改后可重新提交审核。"
    if task_state.status != TaskState.STATUS_APPROVED:
        return None
    if workflow_state.status == WorkflowState.STATUS_APPROVED:
        page = type(page).objects.get(pk=page.pk)
        if page.live and page.live_revision_id == task_state.revision_id:
            return "success", f"已通过“{title}”的{step}，审核流程完成，稿件已发布。"
        return "success", f"已通过“{title}”的{step}，审核流程完成。"
    current = workflow_state.current_task_state
    if current is not None and current.status == TaskState.STATUS_IN_PROGRESS and current.pk != task_state.pk:
        return "success", f"已通过“{title}”的{step}，已转入下一环节：{current.task.name}。"
    return "success", f"已通过“{title}”的{step}。"
