"""What happens to a message or an application, one function per step (views and the API call these).

Every step checks who may take it (interaction/access.py), writes the thread (``MessageEvent`` /
``ApplicationEvent``; public steps are what the citizen sees by 查询码) and the audit log.
"""

import hmac
import re
import unicodedata
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from publishing.confidentiality import rules
from publishing.confidentiality.wordlists import scan_fields
from sites import audit
from sites.access import is_web_office
from sites.models import Tenant

from . import access, codes, crypto
from .models import (
    CORRECTION_NOTICE_WORKDAYS,
    MAX_EXTENSION_WORKDAYS,
    OUTCOME_REASONS,
    REASON_REQUIRED,
    ApplicantType,
    ApplicationEvent,
    ApplicationPause,
    ApplicationStatus,
    DisclosureApplication,
    Forward,
    ForwardStatus,
    Kind,
    Message,
    MessageEvent,
    Outcome,
    Reply,
    ReplyStatus,
    Status,
    message_due_date,
)
from .workdays import workdays_between

SUBJECT_MAX = 100
BODY_MAX = 5000
NAME_MAX = 50
DUPLICATE_WINDOW = timedelta(hours=24)
MOBILE_RE = re.compile(r"^1[3-9]\d{9}\Z")
PHONE_RE = re.compile(r"^[\d\-]{7,20}\Z")
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


class IntakeError(ValidationError):
    """A citizen's input that cannot be accepted; ``message_dict`` names the fields, in Chinese."""


class ReplyRefused(PermissionDenied):
    """涉密信息不上网: the reply carries a classification mark; nobody may send it."""

    def __init__(self, findings):
        self.findings = findings
        super().__init__("答复内容含有密级标志或禁止发布的内容，不能提交：" + "；".join(f.text for f in findings[:5]))


# --- Input -----------------------------------------------------------------------------------------


def clean_text(value, limit):
    """Plain text as the citizen wrote it, without control characters; HTML is escaped on output."""
    text = unicodedata.normalize("NFC", str(value or "")).translate(_CONTROL).replace("\r\n", "\n").strip()
    return text, len(text) > limit


def normalise_phone(value):
    return "".join(ch for ch in str(value or "") if ch.isdigit())


def _lookup_digest(code, last4):
    return crypto.digest("lookup", code, last4)


def validate_message(data):
    """The cleaned fields of a message, or IntakeError naming every bad field."""
    errors = {}
    kind = data.get("kind") or ""
    if kind not in Kind.values:
        errors["kind"] = f"留言类型无效，可选：{'、'.join(f'{k.value}（{k.label}）' for k in Kind)}。"
    subject, too_long = clean_text(data.get("subject"), SUBJECT_MAX)
    if not subject:
        errors["subject"] = "请填写标题。"
    elif too_long:
        errors["subject"] = f"标题不能超过 {SUBJECT_MAX} 个字。"
    body, too_long = clean_text(data.get("body"), BODY_MAX)
    if len(body) < 5:
        errors["body"] = "请填写留言内容（至少 5 个字）。"
    elif too_long:
        errors["body"] = f"留言内容不能超过 {BODY_MAX} 个字。"
    name, too_long = clean_text(data.get("name"), NAME_MAX)
    if not name:
        errors["name"] = "请填写姓名。"
    elif too_long:
        errors["name"] = f"姓名不能超过 {NAME_MAX} 个字。"
    phone = normalise_phone(data.get("phone"))
    if not MOBILE_RE.match(phone):
        errors["phone"] = "请填写 11 位手机号码，用于查询和回访。"
    consent = data.get("consent")
    if not isinstance(consent, bool):
        consent = str(consent).lower() in ("1", "true", "on", "yes")
    if errors:
        raise IntakeError(errors)
    return {"kind": kind, "subject": subject, "body": body, "name": name, "phone": phone, "consent": consent}


def _content_digest(tenant, subject, body):
    compact = re.sub(r"\s+", "", f"{subject}\n{body}")
    return crypto.digest("content", str(tenant.pk), compact)


# --- Messages --------------------------------------------------------------------------------------


def submit_message(tenant, data, *, channel="web", attachments=(), now=None):
    """Accept a message for ``tenant``: returns the Message (its ``code`` and ``due_date`` are the answer).

    A second copy from the same phone within 24 hours is refused (the citizen already has a code);
    the same text from other phones is accepted but linked to the first (``duplicate_of``), so a
    flood shows as one item in the handlers' list.
    """
    fields = validate_message(data)
    now = now or timezone.now()
    phone_digest = crypto.digest("phone", fields["phone"])
    content_digest = _content_digest(tenant, fields["subject"], fields["body"])
    # One query for both duplicate rules (intake is the hot path of a hotline platform's API).
    recent = list(
        Message.objects.filter(tenant=tenant, content_digest=content_digest, received_at__gte=now - DUPLICATE_WINDOW)
        .order_by("received_at")
        .values_list("pk", "phone_digest")[:200]
    )
    if any(digest == phone_digest for _pk, digest in recent):
        raise IntakeError({"body": "您已提交过相同内容的留言，请勿重复提交；可凭查询码查询办理进度。"})
    first_copy_id = recent[0][0] if recent else None
    scanned = scan_fields({"标题": fields["subject"], "内容": fields["body"]})
    received_on = timezone.localdate(now)
    message = Message(
        tenant=tenant,
        handling_tenant=tenant,
        kind=fields["kind"],
        subject=fields["subject"],
        body=fields["body"],
        name=fields["name"],
        phone=fields["phone"],
        phone_digest=phone_digest,
        content_digest=content_digest,
        consent=fields["consent"],
        channel=channel,
        received_at=now,
        received_on=received_on,
        due_date=message_due_date(tenant, fields["kind"], received_on),
        duplicate_of_id=first_copy_id,
        intake_scan=scanned.as_dict(),
    )

    def insert():
        message.save(force_insert=True)
        for attachment in attachments:
            attachment.message = message
            attachment.save()
        MessageEvent.objects.create(
            message=message, at=now, tenant=tenant, action="received", text=f"{tenant.name}已收到留言。", public=True
        )

    return _insert_with_new_code(message, "H", fields["phone"][-4:], insert)


def _insert_with_new_code(record, prefix, last4, insert):
    """Run ``insert`` (one transaction) under a fresh 查询码 for ``record``.

    The codes are random; a clash (one in 10^14) meets the unique constraint and the whole insert is
    tried again with another code, instead of asking the database first for every message (intake is
    a hotline platform's hot path: every round trip counts).
    """
    for _attempt in range(5):
        record.pk = None
        record.code = codes.new_code(prefix)
        record.lookup_digest = _lookup_digest(record.code, last4)
        try:
            with transaction.atomic():
                insert()
            return record
        except IntegrityError:
            if not type(record).objects.filter(code=record.code).exists():
                raise
    raise IntegrityError("could not find a free 查询码")


def lookup(model, code, last4):
    """The record whose 查询码 is ``code`` when ``last4`` are the last four digits of its phone; else None.

    The same answer (None) for a wrong code and a wrong number: a lookup reveals nothing of either.
    """
    code = codes.normalise(code)
    last4 = normalise_phone(last4)
    if len(last4) != 4 or not code:
        return None
    record = model.objects.filter(code=code).first()
    expected = record.lookup_digest if record else _lookup_digest("", "0000")
    if not hmac.compare_digest(expected, _lookup_digest(code, last4)) or record is None:
        return None
    return record


def reveal(user, record, request=None, *, tenant):
    """Show the personal data of ``record`` to ``user``: allowed or PermissionDenied; always audited."""
    allowed = access.sees_personal_data(user, tenant, record)
    audit.record(
        "interaction.personal_data_viewed" if allowed else "interaction.personal_data_refused",
        actor=user,
        tenant_code=tenant.code,
        target=record.code,
        request=request,
        model=record._meta.model_name,
    )
    if not allowed:
        raise PermissionDenied("只有本站的互动办理员可以查看留言人的个人信息。")
    return record


def _event(message, action, text, *, user=None, tenant=None, public=False):
    return MessageEvent.objects.create(
        message=message, tenant=tenant, actor=user, action=action, text=text[:500], public=public
    )


def _require_handler(user, tenant, message):
    if not access.can_handle(user, tenant) or (message.handling_tenant_id != tenant.pk and not is_web_office(user)):
        raise PermissionDenied("只有当前办理单位的互动办理员可以办理这条留言。")


def start_handling(message, user, tenant):
    _require_handler(user, tenant, message)
    if message.status == Status.RECEIVED:
        message.status = Status.PROCESSING
        message.save(update_fields=["status"])
        _event(message, "processing", f"{tenant.name}正在办理。", user=user, tenant=tenant, public=True)
    return message


def mark_invalid(message, user, tenant, reason):
    """不予受理 (spam, abuse, no content): needs a reason; the citizen sees it."""
    _require_handler(user, tenant, message)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写不予受理的理由。")
    refuse_marks(reason)
    if not message.is_open:
        raise ValidationError("这条留言已办结。")
    message.status = Status.INVALID
    message.invalid_reason = reason[:200]
    message.answered_at = timezone.now()
    message.save(update_fields=["status", "invalid_reason", "answered_at"])
    # A reply still waiting for review must not be approved (and published) for a message not accepted.
    message.replies.filter(status=ReplyStatus.PENDING).update(
        status=ReplyStatus.REJECTED, review_comment="留言不予受理，此答复作废"
    )
    _event(message, "invalid", f"不予受理：{reason}", user=user, tenant=tenant, public=True)
    audit.record("interaction.invalid", actor=user, tenant_code=tenant.code, target=message.code, reason=reason)
    return message


def forward(message, user, tenant, to_tenant, note=""):
    """转办 to another site of the cluster; the due date stays the one promised to the citizen."""
    _require_handler(user, tenant, message)
    if not message.is_open:
        raise ValidationError("已办结的留言不能转办。")
    if to_tenant.pk == message.handling_tenant_id:
        raise ValidationError("不能转办给当前办理单位自己。")
    if not Tenant.objects.serving().filter(pk=to_tenant.pk).exists():
        raise ValidationError("只能转办给正在运行的站点。")
    with transaction.atomic():
        Forward.objects.filter(message=message, status=ForwardStatus.OPEN, to_tenant=tenant).update(
            status=ForwardStatus.RETURNED
        )
        # A reply waiting for review here is no longer this site's to send: its reviewer must not
        # approve it after the message has gone to the department.
        message.replies.filter(status=ReplyStatus.PENDING).update(
            status=ReplyStatus.REJECTED, review_comment="留言已转办，此答复作废"
        )
        Forward.objects.create(message=message, from_tenant=tenant, to_tenant=to_tenant, note=note[:500], by=user)
        message.handling_tenant = to_tenant
        message.status = Status.PROCESSING
        message.save(update_fields=["handling_tenant", "status"])
        _event(message, "forwarded", f"已转交{to_tenant.name}办理。", user=user, tenant=tenant, public=True)
    audit.record("interaction.forwarded", actor=user, tenant_code=tenant.code, target=message.code, to=to_tenant.code)
    return message


def urge(message, user, tenant, note=""):
    """督办: the forwarding site (or the web office) presses the department; the handlers are e-mailed."""
    forward_row = message.forwards.filter(status=ForwardStatus.OPEN).last()
    if forward_row is None:
        raise ValidationError("这条留言没有在办的转办。")
    if not is_web_office(user) and not (access.can_handle(user, tenant) and forward_row.from_tenant_id == tenant.pk):
        raise PermissionDenied("只有转办单位的互动办理员或网站办可以督办。")
    forward_row.urged_at = timezone.now()
    forward_row.save(update_fields=["urged_at"])
    _event(message, "urged", f"{tenant.name}督办：{note or '请按期答复'}", user=user, tenant=tenant)
    from .notifications import notify_handlers

    notify_handlers(
        message.handling_tenant,
        f"督办：{message.subject}",
        f"{tenant.name}督办留言 {message.code}“{message.subject}”，答复期限 {message.due_date:%Y-%m-%d}。{note}",
    )
    return message


def scan_reply(text):
    return scan_fields({"答复内容": text})


def refuse_marks(*texts):
    """涉密信息不上网 for every text staff write that the citizen or the public reads (replies, the
    answering office's name, reasons, notices): a blocking scan refuses the step."""
    result = scan_fields({f"文字{index}": text or "" for index, text in enumerate(texts, 1)})
    if result.verdict == "block":
        raise ReplyRefused(result.blocking)


def submit_reply(message, user, tenant, text, answered_by=""):
    """A handler's answer goes to review (先审后发); a blocked scan refuses it outright."""
    _require_handler(user, tenant, message)
    if not message.is_open:
        raise ValidationError("这条留言已办结。")
    text, too_long = clean_text(text, BODY_MAX)
    if len(text) < 5:
        raise ValidationError("请填写答复内容。")
    if too_long:
        raise ValidationError(f"答复内容不能超过 {BODY_MAX} 个字。")
    result = scan_fields({"答复内容": text, "答复单位": answered_by or ""})
    if result.verdict == "block":
        audit.record("interaction.reply_blocked", actor=user, tenant_code=tenant.code, target=message.code)
        raise ReplyRefused(result.blocking)
    with transaction.atomic():
        message.replies.filter(status=ReplyStatus.PENDING).update(
            status=ReplyStatus.REJECTED, review_comment="已被新的答复取代"
        )
        reply = Reply.objects.create(
            message=message,
            tenant=tenant,
            answered_by=(answered_by or tenant.name)[:100],
            text=text,
            author=user,
            scan=result.as_dict(),
        )
        message.status = Status.REPLY_PENDING
        message.save(update_fields=["status"])
        _event(message, "reply_submitted", "答复已提交审核。", user=user, tenant=tenant)
    from .notifications import notify_reviewers

    notify_reviewers(tenant, f"答复待审核：{message.subject}", f"留言 {message.code} 的答复等待审核。")
    return reply


def review_reply(reply, user, tenant, *, approve, comment=""):
    """审核 of a reply: by the answering site's reviewer, never its author."""
    message = reply.message
    if reply.status != ReplyStatus.PENDING:
        raise ValidationError("这条答复已审核过。")
    if reply.tenant_id != tenant.pk or not access.can_review(user, tenant):
        raise PermissionDenied("只有答复单位的审核员可以审核答复。")
    if reply.author_id == user.pk:
        raise PermissionDenied("不能审核自己写的答复。")
    if approve:
        refuse_marks(reply.text, reply.answered_by)
    if not approve and not comment.strip():
        raise ValidationError("退回答复时请填写审核意见。")
    now = timezone.now()
    with transaction.atomic():
        reply.status = ReplyStatus.APPROVED if approve else ReplyStatus.REJECTED
        reply.reviewer = user
        reply.reviewed_at = now
        reply.review_comment = comment[:500]
        reply.save(update_fields=["status", "reviewer", "reviewed_at", "review_comment"])
        if approve:
            message.status = Status.ANSWERED
            message.answered_at = now
            message.save(update_fields=["status", "answered_at"])
            message.forwards.filter(status=ForwardStatus.OPEN).update(status=ForwardStatus.ANSWERED)
            _event(message, "answered", f"{reply.answered_by}已答复。", user=user, tenant=tenant, public=True)
            if message.consent and message.duplicate_of_id is None:
                _publish_with_approval(message, reply, user, tenant)
        else:
            message.status = Status.PROCESSING
            message.save(update_fields=["status"])
            _event(message, "reply_rejected", f"答复被退回：{comment}", user=user, tenant=tenant)
    audit.record(
        "interaction.reply_approved" if approve else "interaction.reply_rejected",
        actor=user,
        tenant_code=tenant.code,
        target=message.code,
    )
    return reply


def _publish_with_approval(message, reply, user, tenant):
    """The published answer is made in the approval's transaction: approved means published (with
    consent), never approved with the page silently missing. What the citizen wrote may itself carry
    a mark the page scan refuses (涉密信息不上网); then the answer still reaches the citizen by 查询码,
    the page is not made, and the thread and the audit log say why."""
    from .publication import publish_answer

    try:
        with transaction.atomic():
            publish_answer(message, reply)
    except PermissionDenied as error:
        _event(message, "publication_refused", f"答复未公开：{error}", user=user, tenant=tenant)
        audit.record(
            "interaction.publication_refused",
            actor=user,
            tenant_code=tenant.code,
            target=message.code,
            reason=str(error),
        )


def set_consent_withdrawn(message):
    """The citizen can withdraw consent by 查询码: the published answer is taken down."""
    from .publication import withdraw_answer

    message.consent = False
    message.save(update_fields=["consent"])
    withdraw_answer(message)
    _event(message, "consent_withdrawn", "留言人撤回了公开同意，已撤下公开的答复。", public=True)


# --- 依申请公开 ------------------------------------------------------------------------------------


def validate_application(data):
    errors = {}
    applicant_type = data.get("applicant_type") or ""
    if applicant_type not in ApplicantType.values:
        errors["applicant_type"] = "请选择申请人类型（公民 / 法人或者其他组织）。"
    name, too_long = clean_text(data.get("name"), 100)
    if not name or too_long:
        errors["name"] = "请填写申请人姓名或单位名称（100 字以内）。"
    id_number = "".join(str(data.get("id_number") or "").split()).upper()
    if applicant_type == ApplicantType.CITIZEN:
        if not rules.valid_id_number(id_number.lower()):  # the rules read normalised (lower-case) text
            errors["id_number"] = "身份证号码无效（请核对 18 位号码及最后一位校验码）。"
    elif applicant_type == ApplicantType.LEGAL and not re.fullmatch(r"[0-9A-HJ-NPQRTUWXY]{18}", id_number):
        errors["id_number"] = "请填写 18 位统一社会信用代码。"
    phone = normalise_phone(data.get("phone"))
    if not PHONE_RE.match(str(data.get("phone") or "").strip()) or len(phone) < 7:
        errors["phone"] = "请填写联系电话。"
    email = str(data.get("email") or "").strip()[:200]
    delivery = data.get("delivery") or ""
    if delivery == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        errors["email"] = "选择电子邮件获取时须填写有效的电子邮箱。"
    address, _ = clean_text(data.get("address"), 200)
    if delivery == "post" and not address:
        errors["address"] = "选择邮寄时须填写通信地址。"
    description, too_long = clean_text(data.get("description"), BODY_MAX)
    if len(description) < 5 or too_long:
        errors["description"] = "请描述所需政府信息的名称、文号或便于查询的其他特征（5–5000 字）。"
    purpose, _ = clean_text(data.get("purpose"), 500)
    provision_form = data.get("provision_form") or ""
    if provision_form not in ("paper", "electronic", "disc"):
        errors["provision_form"] = "请选择提供形式（纸质 / 电子 / 光盘）。"
    if delivery not in ("post", "email", "pickup"):
        errors["delivery"] = "请选择获取方式（邮寄 / 电子邮件 / 自行领取）。"
    if errors:
        raise IntakeError(errors)
    legal_representative, _ = clean_text(data.get("legal_representative"), 50)
    contact_name, _ = clean_text(data.get("contact_name"), 50)
    return {
        "applicant_type": applicant_type,
        "name": name,
        "id_type": "身份证" if applicant_type == ApplicantType.CITIZEN else "统一社会信用代码",
        "id_number": id_number,
        "legal_representative": legal_representative,
        "contact_name": contact_name,
        "phone": phone,
        "email": email,
        "address": address,
        "description": description,
        "purpose": purpose,
        "provision_form": provision_form,
        "delivery": delivery,
    }


def submit_application(tenant, data, *, now=None):
    fields = validate_application(data)
    now = now or timezone.now()
    application = DisclosureApplication(tenant=tenant, submitted_at=now, **fields)
    application.phone_digest = crypto.digest("phone", fields["phone"])

    def insert():
        application.save(force_insert=True)
        _app_event(application, "submitted", f"{tenant.name}已收到网上申请，待确认。")

    return _insert_with_new_code(application, "Y", fields["phone"][-4:], insert)


def _app_event(application, action, text, user=None, public=True):
    ApplicationEvent.objects.create(application=application, actor=user, action=action, text=text[:500], public=public)


def _require_app_handler(user, tenant, application):
    if not access.can_handle(user, tenant) or (application.tenant_id != tenant.pk and not is_web_office(user)):
        raise PermissionDenied("只有本机关的互动办理员可以办理依申请公开。")


def _refresh_due(application, today=None):
    application.due_date = application.compute_due_date(today)
    return application


def confirm_receipt(application, user, tenant, on=None):
    """条例 art. 31(3): the day the office confirms an online application is the day it is received."""
    _require_app_handler(user, tenant, application)
    if application.status != ApplicationStatus.SUBMITTED:
        raise ValidationError("这份申请已确认收到。")
    application.received_on = on or timezone.localdate()
    application.status = ApplicationStatus.PROCESSING
    _refresh_due(application)
    application.save()
    _app_event(application, "received", f"已确认收到申请，答复期限 {application.due_date:%Y-%m-%d}。", user)
    return application


def request_correction(application, user, tenant, note, on=None):
    """补正 (art. 30): once, within 7 working days of receipt; the clock stops until it is corrected."""
    _require_app_handler(user, tenant, application)
    on = on or timezone.localdate()
    if application.status != ApplicationStatus.PROCESSING or application.received_on is None:
        raise ValidationError("只有办理中的申请可以告知补正。")
    if application.correction_requested_on is not None:
        raise ValidationError("补正只能告知一次（《政府信息公开条例》第三十条）。")
    if workdays_between(application.received_on, on) > CORRECTION_NOTICE_WORKDAYS:
        raise ValidationError("已超过收到申请之日起 7 个工作日，不能再告知补正。")
    note = (note or "").strip()
    if not note:
        raise ValidationError("请写明需要补正的事项和合理的补正期限。")
    refuse_marks(note)
    application.correction_requested_on = on
    application.correction_note = note[:2000]
    application.status = ApplicationStatus.CORRECTION
    application.due_date = None
    application.save()
    _app_event(application, "correction", f"请补正：{note}", user)
    return application


def submit_correction(application, text, on=None):
    """The applicant's correction (by 查询码); the 20 working days restart from its receipt."""
    if application.status != ApplicationStatus.CORRECTION:
        raise ValidationError("这份申请不需要补正。")
    text, too_long = clean_text(text, BODY_MAX)
    if len(text) < 2 or too_long:
        raise ValidationError("请填写补正内容。")
    application.corrected_on = on or timezone.localdate()
    application.correction_text = text
    application.status = ApplicationStatus.PROCESSING
    _refresh_due(application)
    application.save()
    _app_event(application, "corrected", f"已收到补正，答复期限 {application.due_date:%Y-%m-%d}。")
    return application


def start_third_party(application, user, tenant, third_party, on=None):
    """征求第三方意见 (art. 32): the wait, up to 15 working days, is not counted."""
    _require_app_handler(user, tenant, application)
    if application.status != ApplicationStatus.PROCESSING:
        raise ValidationError("只有办理中的申请可以征求第三方意见。")
    if not (third_party or "").strip():
        raise ValidationError("请填写第三方。")
    refuse_marks(third_party)
    ApplicationPause.objects.create(
        application=application, started_on=on or timezone.localdate(), third_party=third_party[:200]
    )
    application.status = ApplicationStatus.THIRD_PARTY
    _refresh_due(application)
    application.save()
    _app_event(application, "third_party", "正在征求第三方意见，所需时间不计算在答复期限内。", user)
    return application


def end_third_party(application, user, tenant, on=None):
    _require_app_handler(user, tenant, application)
    pause = application.pauses.filter(ended_on__isnull=True).last()
    if application.status != ApplicationStatus.THIRD_PARTY or pause is None:
        raise ValidationError("这份申请没有在征求第三方意见。")
    pause.ended_on = on or timezone.localdate()
    pause.save(update_fields=["ended_on"])
    application.status = ApplicationStatus.PROCESSING
    _refresh_due(application)
    application.save()
    _app_event(application, "third_party_done", f"第三方意见已收到，答复期限 {application.due_date:%Y-%m-%d}。", user)
    return application


def extend(application, user, tenant, *, days, reason, approved_by, on=None):
    """延期 (art. 33): once, at most 20 working days, approved by the office's head, with a reason."""
    _require_app_handler(user, tenant, application)
    if application.status not in (ApplicationStatus.PROCESSING, ApplicationStatus.THIRD_PARTY):
        raise ValidationError("只有办理中的申请可以延长答复期限。")
    if application.extension_days:
        raise ValidationError("答复期限只能延长一次。")
    if not 1 <= int(days) <= MAX_EXTENSION_WORKDAYS:
        raise ValidationError(f"延长期限最长不超过 {MAX_EXTENSION_WORKDAYS} 个工作日。")
    if not (reason or "").strip() or not (approved_by or "").strip():
        raise ValidationError("延长答复期限须写明理由并经机构负责人同意。")
    refuse_marks(reason, approved_by)
    on = on or timezone.localdate()
    if application.due_date and on > application.due_date:
        raise ValidationError("已超过答复期限，不能再延长。")
    application.extension_days = int(days)
    application.extension_reason = reason[:500]
    application.extension_approved_by = approved_by[:100]
    application.extended_on = on
    _refresh_due(application)
    application.save()
    _app_event(
        application, "extended", f"经{approved_by}同意延长答复期限至 {application.due_date:%Y-%m-%d}：{reason}", user
    )
    return application


def answer_application(application, user, tenant, *, outcome, reason="", detail=""):
    """The statutory answer (art. 36); 不予公开 / 无法提供 / 不予处理 name their reason."""
    _require_app_handler(user, tenant, application)
    if application.status not in (ApplicationStatus.PROCESSING, ApplicationStatus.THIRD_PARTY):
        raise ValidationError("只有办理中的申请可以答复。")
    if outcome not in Outcome.values:
        raise ValidationError("请选择答复类型。")
    if outcome in REASON_REQUIRED and reason not in dict(OUTCOME_REASONS[Outcome(outcome)]):
        raise ValidationError("该答复类型须选择法定理由。")
    detail, _ = clean_text(detail, BODY_MAX)
    if outcome == Outcome.PUBLISHED_ALREADY and not detail:
        raise ValidationError("已主动公开的，须告知获取该信息的方式和途径。")
    if outcome == Outcome.NOT_OURS and not detail:
        raise ValidationError("非本机关的，能够确定负责公开机关的，须告知其名称和联系方式。")
    if outcome in (Outcome.REFUSED, Outcome.PARTIAL) and not detail:
        raise ValidationError("不予公开或部分公开的，须说明理由。")
    refuse_marks(detail)
    now = timezone.now()
    pause = application.pauses.filter(ended_on__isnull=True).last()
    if pause:
        pause.ended_on = timezone.localdate(now)
        pause.save(update_fields=["ended_on"])
    application.outcome = outcome
    application.outcome_reason = reason if outcome in REASON_REQUIRED else ""
    application.outcome_detail = detail
    application.answered_at = now
    application.answered_by = user
    application.status = ApplicationStatus.ANSWERED
    application.save()
    _app_event(application, "answered", f"已答复：{Outcome(outcome).label}", user)
    audit.record(
        "interaction.application_answered",
        actor=user,
        tenant_code=tenant.code,
        target=application.code,
        outcome=outcome,
    )
    return application


def masked_text(text):
    """The text with personal data (ID, mobile and bank card numbers) replaced by asterisks."""
    normalised = rules.normalise(text)
    spans = [(start, end) for _rule, start, end in rules.personal_data(normalised)]
    if not spans:
        return text  # the citizen's own punctuation (：？，) stays; only masking needs the NFKC form
    chars = list(text) if len(normalised) == len(text) else list(normalised)
    for start, end in spans:
        for index in range(start, end):
            chars[index] = "*"
    return "".join(chars)
