"""Messages (领导信箱 / 咨询 / 建议 / 投诉) and 依申请公开 applications, with their legal clocks.

Both belong to one site (``tenant``) but live in the public schema: a message forwarded (转办) to a
department stays one record the citizen follows by one 查询码, and the web office's overview and
the supervision checks are one query over the cluster. Who may see a row is decided in one place,
``MessageQuerySet.visible_to`` / ``ApplicationQuerySet.visible_to`` (interaction/access.py).

Personal data (names, phone numbers, ID numbers, addresses, e-mail) is held in
``EncryptedTextField`` columns; what is matched is a keyed digest (interaction/crypto.py).
"""

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django_tenants.utils import schema_context

from sites.models import Tenant

from . import workdays
from .crypto import EncryptedTextField, mask_name, mask_phone
from .storage import private_files

# 国办秘函〔2019〕19号: a valid message unanswered for more than 3 months is a veto. Not configurable.
HARD_LIMIT = relativedelta(months=3)
# 《政府信息公开条例》(2019) art. 30, 31, 32, 33.
CORRECTION_NOTICE_WORKDAYS = 7
ANSWER_WORKDAYS = 20
MAX_EXTENSION_WORKDAYS = 20
THIRD_PARTY_WORKDAYS = 15


class WorkdayOverride(models.Model):
    """A date the holiday calendar does not know yet (next year's 调休), or one it has wrong."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是工作日")
    note = models.CharField("说明", max_length=100, blank=True, help_text="如：国办发明电〔2027〕1号 调休上班")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {'工作日' if self.is_workday else '休息日'}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        workdays.forget_overrides()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        workdays.forget_overrides()
        return result


class Kind(models.TextChoices):
    MAILBOX = "mailbox", "领导信箱"
    CONSULT = "consult", "咨询"
    SUGGEST = "suggest", "建议"
    COMPLAINT = "complaint", "投诉"


# Working days to answer, unless the site sets its own (``Deadline``).
DEFAULT_DEADLINES = {Kind.MAILBOX: 15, Kind.CONSULT: 5, Kind.SUGGEST: 15, Kind.COMPLAINT: 15}


class Deadline(models.Model):
    """A site's own answer period for one kind of message, in working days."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="interaction_deadlines")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    # 60 working days is always within the 3-month limit; the due date is capped by it anyway.
    working_days = models.PositiveSmallIntegerField(
        "办理时限（工作日）", validators=[MinValueValidator(1), MaxValueValidator(60)]
    )

    class Meta:
        verbose_name = "办理时限"
        verbose_name_plural = "办理时限"
        constraints = [models.UniqueConstraint(fields=["tenant", "kind"], name="one_deadline_per_site_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.working_days} 个工作日"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget_deadlines(self.tenant_id)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        forget_deadlines(self.tenant_id)
        return result

    @staticmethod
    def for_site(tenant, kind):
        # Cached per site under the public schema's prefix: every message asks, a site admin rarely changes it.
        with schema_context(settings.PUBLIC_SCHEMA_NAME):
            key = f"interaction:deadlines:{tenant.pk}"
            table = cache.get(key)
            if table is None:
                table = dict(Deadline.objects.filter(tenant=tenant).values_list("kind", "working_days"))
                cache.set(key, table, 3600)
        return table.get(kind) or DEFAULT_DEADLINES[Kind(kind)]


def forget_deadlines(tenant_id):
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        cache.delete(f"interaction:deadlines:{tenant_id}")


def message_due_date(tenant, kind, received_on):
    """The promised answer date: the site's working days for the kind, never past the 3-month limit."""
    due = workdays.add_workdays(received_on, Deadline.for_site(tenant, kind))
    return min(due, received_on + HARD_LIMIT)


class Status(models.TextChoices):
    RECEIVED = "received", "待办理"
    PROCESSING = "processing", "办理中"
    REPLY_PENDING = "reply_pending", "答复待审核"
    ANSWERED = "answered", "已答复"
    INVALID = "invalid", "不予受理"


OPEN_STATUSES = (Status.RECEIVED, Status.PROCESSING, Status.REPLY_PENDING)


class MessageQuerySet(models.QuerySet):
    def of_site(self, tenant):
        """What a site handles: written to it and not forwarded away, or forwarded to it."""
        return self.filter(handling_tenant=tenant)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.open().filter(due_date__lt=today)

    def due_within(self, days, today=None):
        today = today or timezone.localdate()
        return self.open().filter(due_date__gte=today, due_date__lte=workdays.add_workdays(today, days))

    def published(self):
        return self.filter(status=Status.ANSWERED, consent=True, published_page_id__isnull=False)

    def visible_to(self, user, tenant):
        from .access import messages_visible_to

        return messages_visible_to(self, user, tenant)


class Message(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="interaction_messages")
    # The site answering now: the site written to, or the department it was forwarded to (转办).
    handling_tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="interaction_handled")
    code = models.CharField("查询码", max_length=20, unique=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    subject = models.CharField("标题", max_length=100)
    body = models.TextField("内容")
    name = EncryptedTextField("姓名")
    phone = EncryptedTextField("手机号码")
    phone_digest = models.CharField(max_length=64, db_index=True)
    # HMAC of (code, last four digits): the lookup compares digests, never decrypts.
    lookup_digest = models.CharField(max_length=64)
    content_digest = models.CharField(max_length=64, db_index=True)
    consent = models.BooleanField("同意公开", default=False)
    # The confidentiality scan of what the citizen wrote: personal data and word-list hits shown to
    # the handler, and masked in whatever is published.
    intake_scan = models.JSONField(default=dict)
    channel = models.CharField("来源", max_length=20, default="web", choices=[("web", "网站"), ("api", "接口")])
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.RECEIVED)
    invalid_reason = models.CharField("不予受理理由", max_length=200, blank=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)
    received_at = models.DateTimeField("提交时间", default=timezone.now)
    received_on = models.DateField("受理日期")
    due_date = models.DateField("答复期限", db_index=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    # The published answer (interaction_pages.ReplyPage) in ``tenant``'s schema, once consented and approved.
    published_page_id = models.IntegerField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = "留言"
        verbose_name_plural = "留言"
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["handling_tenant", "status", "-received_at"], name="message_site_list"),
            models.Index(fields=["handling_tenant", "due_date"], name="message_site_due"),
            models.Index(fields=["status", "due_date"], name="message_overdue"),
        ]

    def __str__(self):
        return f"{self.code} {self.subject}"

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self):
        return self.is_open and self.due_date < timezone.localdate()

    @property
    def days_left(self):
        return workdays.workdays_between(timezone.localdate(), self.due_date)

    @property
    def masked_name(self):
        return mask_name(self.name)

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    def approved_reply(self):
        return self.replies.filter(status=ReplyStatus.APPROVED).order_by("-reviewed_at").first()

    def pending_reply(self):
        return self.replies.filter(status=ReplyStatus.PENDING).order_by("-submitted_at").first()

    def public_events(self):
        return self.events.filter(public=True).order_by("at", "id")


def attachment_path(instance, filename):
    # The site's code in the path: a file is found from any context, and never under MEDIA_ROOT.
    return f"{instance.message.tenant.schema_name}/{instance.message.code}/{filename}"


class MessageAttachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, storage=private_files, max_length=300)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = "留言附件"
        verbose_name_plural = "留言附件"

    def __str__(self):
        return self.name


class ReplyStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "已退回"


class Reply(models.Model):
    """An answer to a message. 先审后发: the citizen and the public see it only once approved."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="replies")
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    # The office that answers, as the citizen reads it (e.g. 市交通运输局).
    answered_by = models.CharField("答复单位", max_length=100)
    text = models.TextField("答复内容")
    status = models.CharField(max_length=20, choices=ReplyStatus.choices, default=ReplyStatus.PENDING)
    scan = models.JSONField(default=dict)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.CharField("审核意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "答复"
        verbose_name_plural = "答复"
        ordering = ["submitted_at"]

    def __str__(self):
        return f"{self.message.code} {self.get_status_display()}"


class ForwardStatus(models.TextChoices):
    OPEN = "open", "办理中"
    ANSWERED = "answered", "已答复"
    RETURNED = "returned", "已退回"


class Forward(models.Model):
    """转办: one site hands a message to another, follows it (督办), and the citizen sees one thread."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="forwards")
    from_tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    to_tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("转办意见", max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=ForwardStatus.choices, default=ForwardStatus.OPEN)
    urged_at = models.DateTimeField("最近督办", null=True, blank=True)

    class Meta:
        verbose_name = "转办"
        verbose_name_plural = "转办"
        ordering = ["at"]

    def __str__(self):
        return f"{self.message_id} → {self.to_tenant_id}"


class MessageEvent(models.Model):
    """One step of the thread. ``public`` steps are what the citizen sees by 查询码."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    tenant = models.ForeignKey(Tenant, null=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=30)
    text = models.CharField(max_length=500)
    public = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return self.text


# --- 依申请公开 ----------------------------------------------------------------------------------


class ApplicantType(models.TextChoices):
    CITIZEN = "citizen", "公民"
    LEGAL = "legal", "法人或者其他组织"


class ProvisionForm(models.TextChoices):
    PAPER = "paper", "纸质"
    ELECTRONIC = "electronic", "电子"
    DISC = "disc", "光盘"


class Delivery(models.TextChoices):
    POST = "post", "邮寄"
    EMAIL = "email", "电子邮件"
    PICKUP = "pickup", "自行领取"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "待确认收到"
    PROCESSING = "processing", "办理中"
    CORRECTION = "correction", "待补正"
    THIRD_PARTY = "third_party", "征求第三方意见"
    ANSWERED = "answered", "已答复"
    WITHDRAWN = "withdrawn", "已撤回"


APPLICATION_OPEN = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.PROCESSING,
    ApplicationStatus.CORRECTION,
    ApplicationStatus.THIRD_PARTY,
)


class Outcome(models.TextChoices):
    """The statutory answer forms (条例 art. 36), in the 年报 template's categories."""

    PUBLISHED_ALREADY = "published_already", "已主动公开"
    DISCLOSED = "disclosed", "予以公开"
    PARTIAL = "partial", "部分公开"
    REFUSED = "refused", "不予公开"
    UNAVAILABLE = "unavailable", "无法提供"
    NOT_PROCESSED = "not_processed", "不予处理"
    NOT_OURS = "not_ours", "非本机关"
    OTHER = "other", "其他处理"


# The reasons each form takes (年报 template 三(三)), so the statistics add up by category.
OUTCOME_REASONS = {
    Outcome.REFUSED: [
        ("secret", "属于国家秘密"),
        ("law", "其他法律行政法规禁止公开"),
        ("three_safety", "危及“三安全一稳定”"),
        ("third_party", "保护第三方合法权益"),
        ("internal", "属于三类内部事务信息"),
        ("process", "属于四类过程性信息"),
        ("enforcement", "属于行政执法案卷"),
        ("inquiry", "属于行政查询事项"),
    ],
    Outcome.UNAVAILABLE: [
        ("not_held", "本机关不掌握相关政府信息"),
        ("needs_making", "没有现成信息需要另行制作"),
        ("unclear", "补正后申请内容仍不明确"),
    ],
    Outcome.NOT_PROCESSED: [
        ("petition", "信访举报投诉类申请"),
        ("repeat", "重复申请"),
        ("publication", "要求提供公开出版物"),
        ("excessive", "无正当理由大量反复申请"),
        ("confirm", "要求行政机关确认或重新出具已获取信息"),
    ],
}
REASON_REQUIRED = {Outcome.REFUSED, Outcome.UNAVAILABLE, Outcome.NOT_PROCESSED}


class ApplicationQuerySet(models.QuerySet):
    def of_site(self, tenant):
        return self.filter(tenant=tenant)

    def open(self):
        return self.filter(status__in=APPLICATION_OPEN)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(status__in=(ApplicationStatus.PROCESSING, ApplicationStatus.THIRD_PARTY), due_date__lt=today)

    def visible_to(self, user, tenant):
        from .access import applications_visible_to

        return applications_visible_to(self, user, tenant)


class DisclosureApplication(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="disclosure_applications")
    code = models.CharField("查询码", max_length=20, unique=True)
    applicant_type = models.CharField("申请人类型", max_length=20, choices=ApplicantType.choices)
    name = EncryptedTextField("姓名/名称")
    id_type = models.CharField("证件类型", max_length=20, default="身份证")
    id_number = EncryptedTextField("证件号码")
    legal_representative = EncryptedTextField("法定代表人", blank=True)
    contact_name = EncryptedTextField("联系人", blank=True)
    phone = EncryptedTextField("联系电话")
    email = EncryptedTextField("电子邮箱", blank=True)
    address = EncryptedTextField("通信地址", blank=True)
    lookup_digest = models.CharField(max_length=64)
    phone_digest = models.CharField(max_length=64, db_index=True)
    description = models.TextField("所需信息的内容描述")
    purpose = models.CharField("用途", max_length=500, blank=True)
    provision_form = models.CharField("提供形式", max_length=20, choices=ProvisionForm.choices)
    delivery = models.CharField("获取方式", max_length=20, choices=Delivery.choices)
    status = models.CharField("状态", max_length=20, choices=ApplicationStatus.choices, default="submitted")
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    # 条例 art. 31(3): an application made online is received on the day the office confirms it.
    received_on = models.DateField("收到申请日期", null=True, blank=True)
    correction_requested_on = models.DateField("补正告知日期", null=True, blank=True)
    correction_note = models.TextField("补正告知内容", blank=True)
    corrected_on = models.DateField("补正后收到日期", null=True, blank=True)
    correction_text = models.TextField("补正内容", blank=True)
    extension_days = models.PositiveSmallIntegerField("延长工作日", default=0)
    extension_reason = models.CharField("延长理由", max_length=500, blank=True)
    extension_approved_by = models.CharField("延长批准人", max_length=100, blank=True)
    extended_on = models.DateField(null=True, blank=True)
    due_date = models.DateField("答复期限", null=True, blank=True, db_index=True)
    outcome = models.CharField("答复类型", max_length=30, choices=Outcome.choices, blank=True)
    outcome_reason = models.CharField("理由", max_length=30, blank=True)
    outcome_detail = models.TextField("答复说明", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_on = models.DateField(null=True, blank=True)

    # 年报: applications not finished at the end of a year are carried over to the next.
    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "依申请公开"
        verbose_name_plural = "依申请公开"
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["tenant", "status", "-submitted_at"], name="application_site_list")]

    def __str__(self):
        return f"{self.code} {self.description[:20]}"

    @property
    def is_open(self):
        return self.status in APPLICATION_OPEN

    @property
    def clock_start(self):
        """补正 restarts the clock on the day the corrected application is received (条例 art. 30)."""
        return self.corrected_on or self.received_on

    def paused_workdays(self, today=None):
        today = today or timezone.localdate()
        return sum(pause.workdays(today) for pause in self.pauses.all())

    def compute_due_date(self, today=None):
        if self.clock_start is None:
            return None
        return workdays.add_workdays(
            self.clock_start, ANSWER_WORKDAYS + self.extension_days + self.paused_workdays(today)
        )

    def correction_deadline(self):
        """The last day a 补正 notice may be sent: 7 working days after receipt, once."""
        if self.received_on is None:
            return None
        return workdays.add_workdays(self.received_on, CORRECTION_NOTICE_WORKDAYS)

    def clean(self):
        if self.outcome in REASON_REQUIRED and not self.outcome_reason:
            raise ValidationError({"outcome_reason": "该答复类型须注明理由。"})


class ApplicationPause(models.Model):
    """Time waiting for a third party's opinion (条例 art. 32): not counted, at most 15 working days."""

    application = models.ForeignKey(DisclosureApplication, on_delete=models.CASCADE, related_name="pauses")
    started_on = models.DateField("征求意见日期")
    ended_on = models.DateField("收到意见日期", null=True, blank=True)
    third_party = models.CharField("第三方", max_length=200)

    class Meta:
        ordering = ["started_on"]

    def __str__(self):
        return self.third_party

    def workdays(self, today):
        end = self.ended_on or today
        # The third party has 15 working days; waiting beyond them counts against the office again.
        return min(workdays.workdays_between(self.started_on, end), THIRD_PARTY_WORKDAYS)


class ApplicationEvent(models.Model):
    application = models.ForeignKey(DisclosureApplication, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=30)
    text = models.CharField(max_length=500)
    public = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return self.text
