"""Admin screens of the review chain: 审核信息 of an item, the 保密审查单, force-publishing,
事后审查 and the audit export."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import resolve, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from wagtail.models import Page, TaskState, WorkflowState

from sites.access import current_site
from sites.models import Role

from . import audit, chain, forms, oversight, reading, scanning
from .models import ConfidentialityRecord, ForcePublication, ReviewStepTask, Step


def _page_for(request, page_id):
    page = get_object_or_404(Page, pk=page_id).specific
    perms = page.permissions_for_user(request.user)
    state = chain.current_state(page)
    task = state.current_task_state.task.specific if state and state.current_task_state else None
    in_step = isinstance(task, ReviewStepTask) and chain.is_step_member(task, request.user)
    if not (perms.can_edit() or in_step or oversight.is_web_office(request.user)):
        raise PermissionDenied
    return page


def _latest_state(page):
    return WorkflowState.objects.for_instance(page).order_by("-created_at", "-id").first()


def review_page(request, page_id):
    """审核信息: the scan findings in context, the chain's steps, the actions the user may take."""
    page = _page_for(request, page_id)
    revision = page.get_latest_revision()
    report = scanning.report_for(revision) if revision else None
    state = chain.current_state(page)
    task_state = state.current_task_state if state else None
    task = task_state.task.specific if task_state else None
    actions, refusal, action_forms = [], None, []
    if isinstance(task, ReviewStepTask):
        refusal = chain.refusal(task, state, page, request.user)
        if not refusal:
            done = set()
            for name, label, _modal in task.get_actions(page, request.user):
                if name in done:
                    continue
                done.add(name)
                action_forms.append(
                    {
                        "name": name,
                        "label": label,
                        "form": task.get_form_for_action(name)(),
                        "url": reverse("review:decide", args=[page.pk, name, task_state.pk])
                        + f"?next={reverse('review:page', args=[page.pk])}",
                    }
                )
    latest = _latest_state(page)
    history = (
        TaskState.objects.filter(workflow_state__in=WorkflowState.objects.for_instance(page))
        .select_related("task", "finished_by")
        .order_by("-started_at", "-id")[:50]
    )
    return render(
        request,
        "review/review_page.html",
        {
            "page": page,
            "revision": revision,
            "report": report,
            "workflow_state": state or latest,
            "task_state": task_state,
            "task": task,
            "refusal": refusal,
            "action_forms": action_forms,
            "is_confidentiality_step": isinstance(task, ReviewStepTask) and task.step == Step.CONFIDENTIALITY_REVIEW,
            "history": history,
            "records": ConfidentialityRecord.objects.filter(page=page),
            "force_publications": ForcePublication.objects.filter(page=page),
            "can_force_publish": oversight.can_force_publish(request.user),
            "actions": actions,
            # The text under review: the step's revision (an approval is for that revision).
            "content": reading.content_for_review(page, task_state.revision if task_state else revision),
        },
    )


def tell_decision(request, task_state):
    """Confirm a decision to the person who made it (Django messages)."""
    told = chain.decision_message(task_state) if task_state is not None else None
    if told:
        level, text = told
        (messages.warning if level == "warning" else messages.success)(request, text)


@require_http_methods(["POST"])
def decide(request, page_id, action_name, task_state_id):
    """通过 / 退回 from 审核信息: Wagtail's workflow action view (its checks, then the chain's own in
    ``chain.act``), followed by a confirmation of what happened to the item."""
    before = TaskState.objects.filter(pk=task_state_id).values_list("status", flat=True).first()
    match = resolve(reverse("wagtailadmin_pages:workflow_action", args=[page_id, action_name, task_state_id]))
    response = match.func(request, *match.args, **match.kwargs)
    if before == TaskState.STATUS_IN_PROGRESS and response.status_code in (301, 302, 303):
        tell_decision(request, TaskState.objects.filter(pk=task_state_id).first())
    return response


def confidentiality_sheet(request, record_id):
    """The printable 保密审查单, from the frozen record."""
    record = get_object_or_404(ConfidentialityRecord, pk=record_id)
    if record.page_id is not None:
        _page_for(request, record.page_id)
    elif not oversight.can_see_oversight(request.user):
        raise PermissionDenied
    steps = []
    for step in record.steps:
        at = step.get("at")
        steps.append({**step, "at": timezone.localtime(datetime.datetime.fromisoformat(at)) if at else None})
    return render(
        request,
        "review/confidentiality_sheet.html",
        {"record": record, "steps": steps, "site": current_site(), "findings": record.scan_findings},
    )


@require_http_methods(["GET", "POST"])
def force_publish(request, page_id):
    if not oversight.can_force_publish(request.user):
        raise PermissionDenied
    page = get_object_or_404(Page, pk=page_id).specific
    revision = page.get_latest_revision()
    report = scanning.report_for(revision) if revision else None
    form = forms.ForcePublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            oversight.force_publish(page, request.user, form.cleaned_data["reason"])
        except PermissionDenied as exc:
            messages.error(request, f"未能发布：{exc}")
        else:
            messages.success(request, f"已强制发布“{page.title}”，等待本站保密审查员事后审查。")
            return redirect("review:page", page.pk)
    return render(request, "review/force_publish.html", {"page": page, "form": form, "report": report})


@require_http_methods(["GET", "POST"])
def after_review(request):
    """事后审查: force-published items of this site; the secrecy officer reviews them."""
    if not oversight.can_see_oversight(request.user):
        raise PermissionDenied
    form = forms.AfterReviewForm(request.POST or None)
    if request.method == "POST":
        record = get_object_or_404(ForcePublication, pk=request.POST.get("record"))
        if form.is_valid():
            try:
                oversight.review_afterwards(record, request.user, form.cleaned_data["opinion"])
            except PermissionDenied as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已完成“{record.page_title}”的事后审查。")
                return redirect("review:after_review")
        else:
            messages.error(request, "请填写事后审查意见。")
    return render(
        request,
        "review/after_review.html",
        {
            "pending": ForcePublication.objects.pending(),
            "done": ForcePublication.objects.filter(reviewed_at__isnull=False)[:100],
            "can_review": oversight.can_review_afterwards(request.user),
            "form": forms.AfterReviewForm(),
        },
    )


def audit_export(request):
    """The site's audit trail as CSV for ``?from=YYYY-MM-DD&to=YYYY-MM-DD``; a form without them."""
    if not (oversight.is_web_office(request.user) or oversight.has_site_role(request.user, Role.SITE_ADMIN)):
        raise PermissionDenied
    site = current_site()
    if "from" not in request.GET and "to" not in request.GET:
        today = timezone.localdate()
        initial = {"from": today.replace(day=1).isoformat(), "to": today.isoformat()}
        return render(request, "review/audit_export.html", {"form": forms.PeriodForm(), "initial": initial})
    form = forms.PeriodForm(request.GET)
    if not form.is_valid():
        return render(request, "review/audit_export.html", {"form": form, "initial": request.GET}, status=400)
    start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"audit-{site.code}-{start:%Y%m%d}-{end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    audit.write_csv(response, site.code, start, end)
    return response
