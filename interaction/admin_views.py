"""The staff side of 互动交流 and 依申请公开 in each site's Wagtail admin.

Every view decides access on the server, whatever the templates hide:

* the desk (``access.can_open_desk`` on the site whose admin this is) or 403;
* a record outside ``visible_to(user, site)`` is 404, the same answer as a record that does not
  exist, so ids of other sites' messages reveal nothing;
* each action is taken by interaction/services.py, which checks the actor's role again; its
  Chinese ValidationError / PermissionDenied messages are shown as admin messages;
* personal data and attachments only for ``access.sees_personal_data``, and every display is
  written to the audit log (``services.reveal``).
"""

import datetime
import io
import mimetypes

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.admin import messages

from publishing.confidentiality import rules
from sites import audit
from sites.access import current_site, is_web_office, roles_on
from sites.models import Role, Tenant
from sites.scope import is_scoped, managed_sites, manages
from sites.spreadsheet import writer as csv_writer

from . import access, admin_forms, services, statistics, uploads, workdays
from .crypto import mask_id_number, mask_name
from .models import (
    OUTCOME_REASONS,
    ApplicationStatus,
    DisclosureApplication,
    ForwardStatus,
    Message,
    Outcome,
    Reply,
    ReplyStatus,
    Status,
    WorkdayOverride,
)

PAGE_SIZE = 50
DUE_SOON_WORKDAYS = 3


# --- Access ----------------------------------------------------------------------------------------


def desk_site(request):
    """The site whose admin this is, when the user may open its 互动交流 desk; else 403."""
    site = current_site()
    if site is None or not site.pk or not access.can_open_desk(request.user, site):
        raise PermissionDenied("您在本站没有互动交流的权限。")
    return site


def overview_site(request):
    """The site whose admin this is, for the overviews (lists, exports, statistics): the desk's
    people, and a city's web office (sites/scope.py) on a site of its own subtree; else 403.

    A city's web office reads its subtree's lists and figures, masked as every list is; it handles
    nothing and opens no record (the details keep ``visible_to``, so they answer 404).
    """
    site = current_site()
    if site is None or not site.pk or not can_open_overview(request.user, site):
        raise PermissionDenied("您在本站没有互动交流的权限。")
    return site


def can_open_overview(user, site):
    """The desk's people, and a city's web office on a site it manages (the menu asks this too)."""
    return access.can_open_desk(user, site) or (is_scoped(user) and manages(user, site))


def overview_sites(user):
    """The sites an overview may name: every site for the cluster's web office, the subtree for a
    city's, none for site staff (their lists are their own site's)."""
    if is_web_office(user):
        return Tenant.objects.sites()
    if is_scoped(user):
        return managed_sites(user)
    return Tenant.objects.none()


def _site_filter(form, user):
    """The site filter offers exactly the sites the user oversees; a forged ``?site=`` of any other
    site fails validation, and the list stays within the user's rows."""
    if "site" in form.fields:
        form.fields["site"].queryset = overview_sites(user).order_by("name")
    return form


def _scoped_rows(queryset, user, site, *fields):
    """``visible_to`` rows, plus for a city's web office every row of its subtree (by ``fields``)."""
    visible = queryset.visible_to(user, site)
    if is_web_office(user) or not is_scoped(user):
        return visible
    managed = managed_sites(user)
    within = Q()
    for field in fields:
        within |= Q(**{f"{field}__in": managed})
    return queryset.filter(Q(pk__in=visible.values("pk")) | within)


def can_edit_deadlines(user, site):
    return is_web_office(user) or Role.SITE_ADMIN in roles_on(user, site)


def _error_text(error):
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error) or "没有权限进行这个操作。"


def _form_errors(form):
    return "；".join(
        f"{form.fields[name].label if name in form.fields else ''}{'：' if name in form.fields else ''}{text}"
        for name, texts in form.errors.items()
        for text in texts
    )


def _run(request, step, *args, success="", **kwargs):
    """Take one service step; its refusal becomes an admin message. Returns True on success."""
    try:
        step(*args, **kwargs)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
        return False
    if success:
        messages.success(request, success)
    return True


def _findings(scan, show_text):
    """Scan findings as the templates show them; the hit text only for those who see personal data
    (a personal-data hit *is* the personal data)."""
    shown = []
    for finding in (scan or {}).get("findings", []):
        personal = finding.get("rule") in (rules.ID_NUMBER, rules.MOBILE_NUMBER, rules.BANK_CARD)
        shown.append(
            {
                "rule": rules.RULE_LABELS.get(finding.get("rule"), finding.get("rule")),
                "severity": rules.SEVERITY_LABELS.get(finding.get("severity"), finding.get("severity")),
                "blocking": finding.get("severity") == rules.BLOCK,
                "text": finding.get("text") if show_text or not personal else "（已隐藏）",
                "field": finding.get("field", ""),
                "note": finding.get("note", ""),
            }
        )
    return shown


# --- Lists -----------------------------------------------------------------------------------------


def _filtered_messages(request, site):
    overseer = overview_sites(request.user).exists()
    form = _site_filter(admin_forms.MessageFilterForm(request.GET or None, all_sites=overseer), request.user)
    queryset = _scoped_rows(Message.objects, request.user, site, "tenant", "handling_tenant").select_related(
        "tenant", "handling_tenant"
    )
    if form.is_valid():
        data = form.cleaned_data
        if data.get("q"):
            queryset = queryset.filter(Q(code__iexact=data["q"].strip()) | Q(subject__icontains=data["q"].strip()))
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("timing") == "overdue":
            queryset = queryset.overdue()
        elif data.get("timing") == "due_soon":
            queryset = queryset.due_within(DUE_SOON_WORKDAYS)
        if data.get("site"):
            queryset = queryset.filter(Q(handling_tenant=data["site"]) | Q(tenant=data["site"]))
    return form, queryset.order_by("-received_at", "-id")


def _filtered_applications(request, site):
    overseer = overview_sites(request.user).exists()
    form = _site_filter(admin_forms.ApplicationFilterForm(request.GET or None, all_sites=overseer), request.user)
    queryset = _scoped_rows(DisclosureApplication.objects, request.user, site, "tenant").select_related("tenant")
    if form.is_valid():
        data = form.cleaned_data
        if data.get("q"):
            text = data["q"].strip()
            queryset = queryset.filter(Q(code__iexact=text) | Q(description__icontains=text))
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("timing") == "overdue":
            queryset = queryset.overdue()
        elif data.get("timing") == "due_soon":
            today = timezone.localdate()
            queryset = queryset.open().filter(
                due_date__gte=today, due_date__lte=workdays.add_workdays(today, DUE_SOON_WORKDAYS)
            )
        if data.get("site"):
            queryset = queryset.filter(tenant=data["site"])
    return form, queryset.order_by("-submitted_at", "-id")


def _page(request, queryset, field=None, sees=True):
    """One page of the list. For staff who do not see personal data, ``field`` of each row (a subject
    or a description, where citizens write ID and phone numbers too) is offered masked as ``shown``."""
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("p"))
    if field:
        _shown(page.object_list, field, sees)
    return page


def _shown(rows, field, sees):
    """Lists show subjects with personal data masked for everyone, handlers included: a list is an
    overview, and what a citizen typed into a subject is seen in full only on the audited detail."""
    rows = list(rows)
    for row in rows:
        row.shown = services.masked_text(getattr(row, field))
    return rows


def _query_without_page(request):
    query = request.GET.copy()
    query.pop("p", None)
    return query.urlencode()


def message_list(request):
    site = overview_site(request)
    form, queryset = _filtered_messages(request, site)
    return render(
        request,
        "interaction/admin/message_list.html",
        {
            "site": site,
            "form": form,
            "page_obj": _page(request, queryset, "subject", access.can_handle(request.user, site)),
            "query": _query_without_page(request),
            "today": timezone.localdate(),
            "web_office": overview_sites(request.user).exists(),
        },
    )


def application_list(request):
    site = overview_site(request)
    form, queryset = _filtered_applications(request, site)
    return render(
        request,
        "interaction/admin/application_list.html",
        {
            "site": site,
            "form": form,
            "page_obj": _page(request, queryset, "description", access.can_handle(request.user, site)),
            "query": _query_without_page(request),
            "today": timezone.localdate(),
            "web_office": overview_sites(request.user).exists(),
        },
    )


def _csv_response(filename, header, rows):
    out = io.StringIO()
    # The BOM: Excel and WPS open UTF-8 Chinese correctly only with it.
    out.write("\ufeff")
    sheet = csv_writer(out)
    sheet.writerow(header)
    sheet.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def message_export(request):
    """The filtered list as CSV; names and phone numbers always masked (an export leaves the system)."""
    site = overview_site(request)
    _form, queryset = _filtered_messages(request, site)
    rows = [
        [
            message.code,
            message.get_kind_display(),
            # Citizens write ID and phone numbers into subjects too: an export masks them wherever they are.
            services.masked_text(message.subject),
            message.masked_name,
            message.masked_phone,
            message.get_status_display(),
            message.tenant.name,
            message.handling_tenant.name,
            _local(message.received_at),
            f"{message.due_date:%Y-%m-%d}",
            _local(message.answered_at),
            "是" if message.consent else "否",
        ]
        for message in queryset[:10000]
    ]
    audit.record(
        "interaction.messages_exported", actor=request.user, tenant_code=site.code, request=request, rows=len(rows)
    )
    header = [
        "查询码",
        "类型",
        "标题",
        "留言人",
        "手机号码",
        "状态",
        "受理站点",
        "办理单位",
        "提交时间",
        "答复期限",
        "答复时间",
        "同意公开",
    ]
    return _csv_response(f"messages-{site.code}-{timezone.localdate():%Y%m%d}.csv", header, rows)


def application_export(request):
    site = overview_site(request)
    _form, queryset = _filtered_applications(request, site)
    rows = [
        [
            application.code,
            application.get_applicant_type_display(),
            mask_name(application.name),
            services.masked_text(application.description[:200]),
            application.get_status_display(),
            application.tenant.name,
            _local(application.submitted_at),
            f"{application.received_on:%Y-%m-%d}" if application.received_on else "",
            f"{application.due_date:%Y-%m-%d}" if application.due_date else "",
            application.get_outcome_display() if application.outcome else "",
            _local(application.answered_at),
        ]
        for application in queryset[:10000]
    ]
    audit.record(
        "interaction.applications_exported", actor=request.user, tenant_code=site.code, request=request, rows=len(rows)
    )
    header = [
        "查询码",
        "申请人类型",
        "申请人",
        "所需信息",
        "状态",
        "站点",
        "提交时间",
        "收到申请日期",
        "答复期限",
        "答复类型",
        "答复时间",
    ]
    return _csv_response(f"applications-{site.code}-{timezone.localdate():%Y%m%d}.csv", header, rows)


# --- A message -------------------------------------------------------------------------------------


def _message_for(request, site, pk):
    return get_object_or_404(
        Message.objects.visible_to(request.user, site).select_related("tenant", "handling_tenant"), pk=pk
    )


def _message_actions(user, site, message):
    """What the user may do on this message here; the services check the same again."""
    handles = access.can_handle(user, site) and (message.handling_tenant_id == site.pk or is_web_office(user))
    open_forward = message.forwards.filter(status=ForwardStatus.OPEN).select_related("from_tenant", "to_tenant").last()
    pending = message.pending_reply()
    return {
        "start": handles and message.status == Status.RECEIVED,
        "forward": handles and message.is_open,
        "invalid": handles and message.is_open,
        "reply": handles and message.is_open,
        "urge": open_forward is not None
        and (is_web_office(user) or (access.can_handle(user, site) and open_forward.from_tenant_id == site.pk)),
        "review": pending is not None
        and pending.tenant_id == site.pk
        and access.can_review(user, site)
        and pending.author_id != user.pk,
        "own_reply_pending": pending is not None and pending.author_id == user.pk,
        "reveal": access.sees_personal_data(user, site, message),
    }


def _message_detail(request, site, message, *, revealed=False, bound=None, status=200):
    user = request.user
    actions = _message_actions(user, site, message)
    sees = actions["reveal"]
    forms_ = {
        "forward": admin_forms.ForwardForm(message=message),
        "urge": admin_forms.NoteForm(),
        "invalid": admin_forms.InvalidForm(),
        "reply": admin_forms.ReplyForm(initial={"answered_by": site.name}),
        "review": admin_forms.ReviewForm(),
    }
    forms_.update(bound or {})
    replies = [
        {"reply": reply, "findings": _findings(reply.scan, True)}
        for reply in message.replies.select_related("author", "reviewer", "tenant").order_by("submitted_at")
    ]
    return render(
        request,
        "interaction/admin/message_detail.html",
        {
            "site": site,
            "message": message,
            "subject": message.subject if sees else services.masked_text(message.subject),
            "body": message.body if sees else services.masked_text(message.body),
            "intake_findings": _findings(message.intake_scan, sees),
            "attachments": list(message.attachments.all()) if sees else [],
            "attachment_count": message.attachments.count(),
            "events": message.events.select_related("actor", "tenant").order_by("at", "id"),
            "forwards": message.forwards.select_related("from_tenant", "to_tenant", "by"),
            "replies": replies,
            "pending": message.pending_reply(),
            "actions": actions,
            "forms": forms_,
            "revealed": revealed,
            "today": timezone.localdate(),
            "days_left": workdays.workdays_between(timezone.localdate(), message.due_date),
        },
        status=status,
    )


def message_detail(request, pk):
    site = desk_site(request)
    message = _message_for(request, site, pk)
    _audit_opened(request, site, message)
    return _message_detail(request, site, message)


def _audit_opened(request, site, record):
    """A handler's detail shows what the citizen wrote in full (ID or phone numbers typed into the
    text included): every such opening is in the audit log, like a reveal."""
    if access.sees_personal_data(request.user, site, record):
        audit.record(
            "interaction.record_opened",
            actor=request.user,
            tenant_code=site.code,
            target=record.code,
            request=request,
            model=record._meta.model_name,
        )


@require_POST
def message_reveal(request, pk):
    """显示个人信息: audited by services.reveal, refused (and audited) for anyone not entitled."""
    site = desk_site(request)
    message = _message_for(request, site, pk)
    services.reveal(request.user, message, request, tenant=site)
    response = _message_detail(request, site, message, revealed=True)
    response["Cache-Control"] = "no-store"
    return response


def message_attachment(request, pk, attachment_id):
    """A citizen's attachment, only to those who see personal data; never from a public URL."""
    site = desk_site(request)
    message = _message_for(request, site, pk)
    attachment = get_object_or_404(message.attachments, pk=attachment_id)
    if not access.sees_personal_data(request.user, site, message):
        audit.record(
            "interaction.attachment_refused",
            actor=request.user,
            tenant_code=site.code,
            target=message.code,
            request=request,
        )
        raise PermissionDenied("只有本站的互动办理员可以查看留言附件。")
    audit.record(
        "interaction.attachment_downloaded",
        actor=request.user,
        tenant_code=site.code,
        target=message.code,
        request=request,
        attachment=attachment.name,
    )
    try:
        handle = uploads.open_attachment(attachment)
    except (FileNotFoundError, OSError) as error:
        raise Http404("附件文件不存在。") from error
    content_type = mimetypes.guess_type(attachment.name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=attachment.name, content_type=content_type)
    # Served as a download and never sniffed: an uploaded HTML or SVG must not run in the admin's origin.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _message_step(request, site, message, action):
    """One action; returns the bound form when it must be shown again, else None."""
    user = request.user
    if action == "start":
        _run(request, services.start_handling, message, user, site, success="已开始办理。")
        return None
    if action == "forward":
        form = admin_forms.ForwardForm(request.POST, message=message)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return form
        to = form.cleaned_data["to_tenant"]
        done = _run(
            request,
            services.forward,
            message,
            user,
            site,
            to,
            form.cleaned_data["note"],
            success=f"已转办给{to.name}。",
        )
        return None if done else form
    if action == "urge":
        form = admin_forms.NoteForm(request.POST)
        form.is_valid()
        _run(
            request,
            services.urge,
            message,
            user,
            site,
            form.cleaned_data.get("note", ""),
            success="已督办，已通知承办单位的办理员。",
        )
        return None
    if action == "invalid":
        form = admin_forms.InvalidForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return form
        done = _run(
            request,
            services.mark_invalid,
            message,
            user,
            site,
            form.cleaned_data["reason"],
            success="已标记为不予受理。",
        )
        return None if done else form
    if action == "reply":
        form = admin_forms.ReplyForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return form
        done = _run(
            request,
            services.submit_reply,
            message,
            user,
            site,
            form.cleaned_data["text"],
            form.cleaned_data["answered_by"],
            success="答复已提交审核。",
        )
        return None if done else form
    if action == "review":
        form = admin_forms.ReviewForm(request.POST)
        pending = message.pending_reply()
        if pending is None:
            messages.error(request, "没有待审核的答复。")
            return None
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return form
        approve = form.cleaned_data["decision"] == "approve"
        done = _run(
            request,
            services.review_reply,
            pending,
            user,
            site,
            approve=approve,
            comment=form.cleaned_data["comment"],
            success="答复已通过，留言人可以查看答复。" if approve else "答复已退回办理员修改。",
        )
        return None if done else form
    raise Http404("没有这个操作。")


@require_POST
def message_action(request, pk, action):
    site = desk_site(request)
    message = _message_for(request, site, pk)
    form = _message_step(request, site, message, action)
    if form is not None:
        message.refresh_from_db()
        return _message_detail(request, site, message, bound={action: form}, status=400)
    message.refresh_from_db()
    if not Message.objects.visible_to(request.user, site).filter(pk=message.pk).exists():
        # 转办 by the web office, or 不予受理 of a message another site follows: not on this desk any more.
        return redirect("interaction_admin:messages")
    return redirect("interaction_admin:message", message.pk)


# --- 答复审核 queue ----------------------------------------------------------------------------------


def review_queue(request):
    site = desk_site(request)
    if not access.can_review(request.user, site):
        raise PermissionDenied("只有本站的审核员可以审核答复。")
    replies = (
        Reply.objects.filter(tenant=site, status=ReplyStatus.PENDING)
        .select_related("message", "author")
        .order_by("submitted_at")
    )
    sees = access.can_handle(request.user, site)
    replies = list(replies[:500])
    for reply in replies:
        reply.shown = reply.message.subject if sees else services.masked_text(reply.message.subject)
    return render(request, "interaction/admin/review_queue.html", {"site": site, "replies": replies})


# --- 依申请公开 --------------------------------------------------------------------------------------


def _application_for(request, site, pk):
    return get_object_or_404(
        DisclosureApplication.objects.visible_to(request.user, site).select_related("tenant"), pk=pk
    )


def _clock(application, today):
    due = application.due_date
    return {
        "received_on": application.received_on,
        "clock_start": application.clock_start,
        "due_date": due,
        "days_left": workdays.workdays_between(today, due) if due and due >= today else 0,
        "overdue_days": workdays.workdays_between(due, today) if due and due < today and application.is_open else 0,
        "paused": application.paused_workdays(today),
        "correction_deadline": application.correction_deadline(),
        "extension_days": application.extension_days,
    }


def _application_detail(request, site, application, *, revealed=False, bound=None, status=200):
    user = request.user
    today = timezone.localdate()
    handles = access.can_handle(user, site) and (application.tenant_id == site.pk or is_web_office(user))
    current = application.status
    working = current in (ApplicationStatus.PROCESSING, ApplicationStatus.THIRD_PARTY)
    actions = {
        "confirm": handles and current == ApplicationStatus.SUBMITTED,
        "correction": handles
        and current == ApplicationStatus.PROCESSING
        and application.correction_requested_on is None,
        "third_party": handles and current == ApplicationStatus.PROCESSING,
        "end_third_party": handles and current == ApplicationStatus.THIRD_PARTY,
        "extend": handles and working and not application.extension_days,
        "answer": handles and working,
        "reveal": access.sees_personal_data(user, site, application),
    }
    forms_ = {
        "confirm": admin_forms.ConfirmReceiptForm(),
        "correction": admin_forms.CorrectionForm(),
        "third_party": admin_forms.ThirdPartyForm(),
        "end_third_party": admin_forms.EndThirdPartyForm(),
        "extend": admin_forms.ExtendForm(),
        "answer": admin_forms.AnswerForm(),
    }
    forms_.update(bound or {})
    return render(
        request,
        "interaction/admin/application_detail.html",
        {
            "site": site,
            "application": application,
            "masked_name": mask_name(application.name),
            "description": application.description
            if actions["reveal"]
            else services.masked_text(application.description),
            "correction_text": application.correction_text
            if actions["reveal"]
            else services.masked_text(application.correction_text),
            "masked_id": mask_id_number(application.id_number),
            "clock": _clock(application, today),
            "pauses": application.pauses.all(),
            "events": application.events.select_related("actor").order_by("at", "id"),
            "actions": actions,
            "forms": forms_,
            "revealed": revealed,
            "outcome_reasons": {Outcome(key).label: reasons for key, reasons in OUTCOME_REASONS.items()},
            "reason_label": dict(sum(OUTCOME_REASONS.values(), [])).get(application.outcome_reason, ""),
        },
        status=status,
    )


def application_detail(request, pk):
    site = desk_site(request)
    application = _application_for(request, site, pk)
    _audit_opened(request, site, application)
    return _application_detail(request, site, application)


@require_POST
def application_reveal(request, pk):
    site = desk_site(request)
    application = _application_for(request, site, pk)
    services.reveal(request.user, application, request, tenant=site)
    response = _application_detail(request, site, application, revealed=True)
    response["Cache-Control"] = "no-store"
    return response


APPLICATION_STEPS = {
    # action: (form, service, success message, how the form's data becomes the call's arguments)
    "confirm": (
        admin_forms.ConfirmReceiptForm,
        services.confirm_receipt,
        "已确认收到申请，开始计算答复期限。",
        lambda d: {"on": d["on"]},
    ),
    "correction": (
        admin_forms.CorrectionForm,
        services.request_correction,
        "已告知补正，答复期限自收到补正之日起重新计算。",
        lambda d: {"note": d["note"], "on": d["on"]},
    ),
    "third_party": (
        admin_forms.ThirdPartyForm,
        services.start_third_party,
        "已开始征求第三方意见，期间不计入答复期限。",
        lambda d: {"third_party": d["third_party"], "on": d["on"]},
    ),
    "end_third_party": (
        admin_forms.EndThirdPartyForm,
        services.end_third_party,
        "已收到第三方意见，答复期限已重新计算。",
        lambda d: {"on": d["on"]},
    ),
    "extend": (
        admin_forms.ExtendForm,
        services.extend,
        "已延长答复期限。",
        lambda d: {"days": d["days"], "reason": d["reason"], "approved_by": d["approved_by"], "on": d["on"]},
    ),
    "answer": (
        admin_forms.AnswerForm,
        services.answer_application,
        "已答复申请人。",
        lambda d: {"outcome": d["outcome"], "reason": d.get("reason") or "", "detail": d.get("detail") or ""},
    ),
}


@require_POST
def application_action(request, pk, action):
    site = desk_site(request)
    application = _application_for(request, site, pk)
    if action not in APPLICATION_STEPS:
        raise Http404("没有这个操作。")
    form_class, step, success, arguments = APPLICATION_STEPS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _application_detail(request, site, application, bound={action: form}, status=400)
    if not _run(request, step, application, request.user, site, success=success, **arguments(form.cleaned_data)):
        application.refresh_from_db()
        return _application_detail(request, site, application, bound={action: form}, status=400)
    return redirect("interaction_admin:application", application.pk)


# --- 超期与预警 --------------------------------------------------------------------------------------


def overdue(request):
    site = desk_site(request)
    today = timezone.localdate()
    soon = workdays.add_workdays(today, DUE_SOON_WORKDAYS)
    message_rows = Message.objects.visible_to(request.user, site).select_related("handling_tenant")
    application_rows = DisclosureApplication.objects.visible_to(request.user, site).select_related("tenant")
    sees = access.can_handle(request.user, site)
    return render(
        request,
        "interaction/admin/overdue.html",
        {
            "site": site,
            "today": today,
            "soon": soon,
            "overdue_messages": _shown(message_rows.overdue(today).order_by("due_date")[:200], "subject", sees),
            "due_soon_messages": _shown(
                message_rows.due_within(DUE_SOON_WORKDAYS, today).order_by("due_date")[:200], "subject", sees
            ),
            "overdue_applications": _shown(
                application_rows.overdue(today).order_by("due_date")[:200], "description", sees
            ),
            "due_soon_applications": _shown(
                application_rows.filter(
                    status__in=(ApplicationStatus.PROCESSING, ApplicationStatus.THIRD_PARTY),
                    due_date__gte=today,
                    due_date__lte=soon,
                ).order_by("due_date")[:200],
                "description",
                sees,
            ),
            "unconfirmed_applications": _shown(
                application_rows.filter(status=ApplicationStatus.SUBMITTED).order_by("submitted_at")[:200],
                "description",
                sees,
            ),
        },
    )


# --- 办理时限 and 工作日调整 ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def deadlines(request):
    site = desk_site(request)
    if not can_edit_deadlines(request.user, site):
        raise PermissionDenied("只有本站的站点管理员或网站办可以设置办理时限。")
    form = admin_forms.DeadlinesForm(request.POST or None, tenant=site)
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = form.save(request.user)
            except ValidationError as error:
                messages.error(request, _error_text(error))
            else:
                if changed:
                    audit.record(
                        "interaction.deadlines_changed",
                        actor=request.user,
                        tenant_code=site.code,
                        request=request,
                        changed=changed,
                    )
                messages.success(request, "办理时限已保存，新收到的留言按新的时限计算。")
                return redirect("interaction_admin:deadlines")
        else:
            messages.error(request, _form_errors(form))
    return render(request, "interaction/admin/deadlines.html", {"site": site, "form": form})


@require_http_methods(["GET", "POST"])
def workday_overrides(request):
    site = desk_site(request)
    if not is_web_office(request.user):
        raise PermissionDenied("只有网站办可以调整工作日。")
    form = admin_forms.WorkdayOverrideForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            override = form.save(commit=False)
            override.created_by = request.user
            override.save()
            audit.record(
                "interaction.workday_override_added",
                actor=request.user,
                request=request,
                target=f"{override.date:%Y-%m-%d}",
                is_workday=override.is_workday,
            )
            messages.success(request, f"已保存：{override}。")
            return redirect("interaction_admin:workdays")
        messages.error(request, _form_errors(form))
    today = timezone.localdate()
    return render(
        request,
        "interaction/admin/workdays.html",
        {
            "site": site,
            "form": form,
            "overrides": WorkdayOverride.objects.filter(date__gte=today - datetime.timedelta(days=366)),
            "unknown_years": workdays.unknown_years(today),
        },
    )


@require_POST
def workday_override_delete(request, pk):
    desk_site(request)
    if not is_web_office(request.user):
        raise PermissionDenied("只有网站办可以调整工作日。")
    override = get_object_or_404(WorkdayOverride, pk=pk)
    label = str(override)
    override.delete()
    audit.record("interaction.workday_override_deleted", actor=request.user, request=request, target=label)
    messages.success(request, f"已删除：{label}。")
    return redirect("interaction_admin:workdays")


# --- 统计 ------------------------------------------------------------------------------------------


def _statistics_scope(request, site):
    """(form, period, site counted): this year and this site unless the form asks otherwise; only
    the web office may count another site."""
    today = timezone.localdate()
    user = request.user
    form = _site_filter(admin_forms.StatisticsForm(request.GET or None, all_sites=overview_sites(user).exists()), user)
    period = statistics.Period.year(today.year)
    target = site
    if request.GET and form.is_valid():
        period = statistics.Period(form.cleaned_data["start"], form.cleaned_data["end"])
        target = form.cleaned_data.get("site") or site
    elif request.GET:
        messages.error(request, _form_errors(form))
    return form, period, target


def statistics_view(request):
    site = overview_site(request)
    today = timezone.localdate()
    form, period, target = _statistics_scope(request, site)
    overview = []
    for tenant in overview_sites(request.user).order_by("name"):
        overview.append({"tenant": tenant, "figures": statistics.message_figures(tenant, period, today)})
    return render(
        request,
        "interaction/admin/statistics.html",
        {
            "site": site,
            "target": target,
            "form": form,
            "period": period,
            "messages_figures": statistics.message_figures(target, period, today),
            "table": statistics.application_table(target, period),
            "columns": statistics.COLUMNS,
            "overview": overview,
        },
    )


def statistics_export(request):
    """Table 三 of the 年报 as CSV, to be copied into the report's template."""
    site = overview_site(request)
    _form, period, target = _statistics_scope(request, site)
    table = statistics.application_table(target, period)
    header = ["项目", *(label for _key, label in statistics.COLUMNS)]
    rows = [[row.label, *(("" if row.key == "results" else cell) for cell in row.cells)] for row in table.rows]
    audit.record("interaction.statistics_exported", actor=request.user, tenant_code=target.code, request=request)
    return _csv_response(f"ysqgk-{target.code}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv", header, rows)


# --- Dashboard -------------------------------------------------------------------------------------


def desk_counts(user, site, today=None):
    """The numbers of the admin home panel: what waits for this user on this site."""
    today = today or timezone.localdate()
    counts = {}
    if access.can_handle(user, site):
        messages_here = Message.objects.of_site(site)
        applications_here = DisclosureApplication.objects.of_site(site)
        counts["todo"] = messages_here.filter(status__in=(Status.RECEIVED, Status.PROCESSING)).count() + (
            applications_here.open().count()
        )
        soon = workdays.add_workdays(today, DUE_SOON_WORKDAYS)
        counts["due_soon"] = (
            messages_here.due_within(DUE_SOON_WORKDAYS, today).count()
            + applications_here.filter(
                status__in=(ApplicationStatus.PROCESSING, ApplicationStatus.THIRD_PARTY),
                due_date__gte=today,
                due_date__lte=soon,
            ).count()
        )
        counts["overdue"] = messages_here.overdue(today).count() + applications_here.overdue(today).count()
    if access.can_review(user, site):
        counts["reviews"] = Reply.objects.filter(tenant=site, status=ReplyStatus.PENDING).count()
    return counts


def home_links():
    return {
        "todo": reverse("interaction_admin:messages") + "?status=received",
        "due_soon": reverse("interaction_admin:messages") + "?timing=due_soon",
        "overdue": reverse("interaction_admin:overdue"),
        "reviews": reverse("interaction_admin:reviews"),
    }
