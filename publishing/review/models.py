"""The review chain's records, in each site's schema.

* ``ReviewStepTask``: one step of the chain (编辑初审 / 部门负责人复审 / 保密审查), a Wagtail task that
  only the site's group for the step may act on, and never the item's own authors.
* ``ScanReport``: the confidentiality scan of one revision (its content, by digest: an autosave
  overwrites a revision in place, so the id alone does not identify what was scanned).
* ``AttachmentText``: the text of an attached document, read once when the file is stored, so
  that no scan (and no edit page) waits for a file to be read.
* ``ConfidentialityRecord``: the 保密审查单 data: 公开属性, 审查意见, the scan and every step's
  name and time, frozen when the officer decides, so later edits never change it.
* ``ForcePublication``: the web office published outside the chain; flagged until the site's
  secrecy officer has reviewed it afterwards (事后审查).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.documents import get_document_model_string
from wagtail.models import GroupApprovalTask

from publishing.confidentiality.conclusion import conclude


class Step(models.TextChoices):
    FIRST_REVIEW = "first_review", _("编辑初审")
    DEPARTMENT_REVIEW = "department_review", _("部门负责人复审")
    CONFIDENTIALITY_REVIEW = "confidentiality_review", _("保密审查")


# The site role whose group does each step (sites.models.Role values).
STEP_ROLES = {
    Step.FIRST_REVIEW: "reviewer",
    Step.DEPARTMENT_REVIEW: "site_admin",
    Step.CONFIDENTIALITY_REVIEW: "secrecy_officer",
}


class DisclosureAttribute(models.TextChoices):
    """公开属性 recorded by the confidentiality officer (政府信息公开条例)."""

    PROACTIVE = "proactive", _("主动公开")
    ON_REQUEST = "on_request", _("依申请公开")
    NOT_PUBLIC = "not_public", _("不予公开")


class Verdict(models.TextChoices):
    BLOCK = "block", _("禁止发布")
    REVIEW = "review", _("需人工审核")
    PASS = "pass", _("未发现问题")


class ReviewStepTask(GroupApprovalTask):
    """A step of the site's review chain; the chain logic lives in ``publishing.review.chain``."""

    step = models.CharField(_("审核环节"), max_length=30, choices=Step.choices)

    admin_form_fields = GroupApprovalTask.admin_form_fields + ["step"]

    class Meta:
        verbose_name = _("审核环节")
        verbose_name_plural = _("审核环节")

    # Wagtail's Task API, delegated so the rules sit together with their reasons in chain.py.
    # chain and forms import this module's models, so they are imported on call: models.py is
    # loaded while the app registry is still being populated (start-up order, not a folder circle).

    def start(self, workflow_state, user=None):
        from . import chain

        return chain.start_step(self, workflow_state, user)

    def _start_here(self, workflow_state, user=None):
        return super().start(workflow_state, user=user)

    def user_can_access_editor(self, obj, user):
        from . import chain

        return chain.is_step_member(self, user)

    def locked_for_user(self, obj, user):
        from . import chain

        return not chain.is_step_member(self, user)

    def user_can_lock(self, obj, user):
        from . import chain

        return chain.is_step_member(self, user)

    def get_actions(self, obj, user):
        from . import chain

        return chain.actions_for(self, obj, user)

    def get_form_for_action(self, action):
        from . import forms

        return forms.form_for(self.step, action)

    def get_template_for_action(self, action):
        return "review/workflow_action_modal.html"

    def on_action(self, task_state, user, action_name, **kwargs):
        from . import chain

        return chain.act(self, task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        from . import chain

        if chain.is_step_member(self, user):
            return self.task_states.filter(status="in_progress")
        return self.task_states.none()

    @classmethod
    def get_description(cls):
        return _("本站对应角色组成员审核；提交人和修改过内容的人不能审核自己的稿件。")


class ScanReport(models.Model):
    revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.CASCADE, related_name="scan_reports", verbose_name=_("版本")
    )
    page_id = models.IntegerField(_("页面 ID"), db_index=True)
    content_digest = models.CharField(_("内容摘要"), max_length=64)
    verdict = models.CharField(_("结论"), max_length=10, choices=Verdict.choices)
    findings = models.JSONField(_("发现"), default=list)
    # Attachments whose text could not be read (doc, wps, ofd, damaged files): the reviewer must
    # read them, the scan did not.
    unchecked = models.JSONField(_("未能检查的附件"), default=list)
    scanned_at = models.DateTimeField(_("检查时间"), default=timezone.now)

    class Meta:
        verbose_name = _("保密检查报告")
        verbose_name_plural = _("保密检查报告")
        ordering = ["-scanned_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "content_digest"], name="one_scan_per_revision_content")
        ]

    def __str__(self):
        return f"{self.get_verdict_display()}（版本 {self.revision_id}）"

    @property
    def is_blocking(self):
        return self.verdict == Verdict.BLOCK

    @property
    def conclusion(self):
        """The summary shown with the findings, derived from them (never the verdict's label alone)."""
        return conclude(self.findings)


class AttachmentText(models.Model):
    """What ``publishing.confidentiality.extract`` read from a document's current file, within its limits.

    Read when the document is saved with a new file (publishing.review.scanning); a scan uses the
    stored text, so opening an edit page never runs a reader. ``file_name`` ties the text to the file
    it came from: a replaced file is read again.
    """

    class Status(models.TextChoices):
        COMPLETE = "complete", _("已完整读取")
        PARTIAL = "partial", _("未能完整读取")
        UNREADABLE = "unreadable", _("无法读取")

    document = models.OneToOneField(
        get_document_model_string(), on_delete=models.CASCADE, related_name="+", verbose_name=_("文档")
    )
    file_name = models.CharField(_("文件"), max_length=255)
    status = models.CharField(_("读取结果"), max_length=10, choices=Status.choices)
    text = models.TextField(_("文字"), blank=True)
    # For the reviewer: why the file was not read, or not read in full (附件过大或过于复杂…).
    message = models.TextField(_("说明"), blank=True)
    seconds = models.FloatField(_("读取用时（秒）"), default=0)
    extracted_at = models.DateTimeField(_("读取时间"), default=timezone.now)

    class Meta:
        verbose_name = _("附件文字")
        verbose_name_plural = _("附件文字")

    def __str__(self):
        return f"{self.file_name}（{self.get_status_display()}）"


class ConfidentialityRecord(models.Model):
    """The data of one 保密审查单; a frozen copy, never rewritten by later edits of the item."""

    page = models.ForeignKey(
        "wagtailcore.Page", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("页面")
    )
    page_title = models.CharField(_("标题"), max_length=255)
    page_type = models.CharField(_("类型"), max_length=50, blank=True)
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("版本")
    )
    task_state = models.OneToOneField(
        "wagtailcore.TaskState", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("审核任务")
    )
    approved = models.BooleanField(_("同意发布"))
    disclosure_attribute = models.CharField(_("公开属性"), max_length=20, choices=DisclosureAttribute.choices)
    opinion = models.TextField(_("审查意见"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("审查人")
    )
    reviewer_name = models.CharField(_("审查人姓名"), max_length=150)
    reviewed_at = models.DateTimeField(_("审查时间"), default=timezone.now)
    submitted_by_name = models.CharField(_("提交人"), max_length=150, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    scan_verdict = models.CharField(_("检查结论"), max_length=10, choices=Verdict.choices, blank=True)
    scan_findings = models.JSONField(_("检查发现"), default=list)
    scan_unchecked = models.JSONField(_("未能检查的附件"), default=list)
    # [{"step": "编辑初审", "status": "通过", "by": "张三", "at": iso, "comment": "…"}, …]
    steps = models.JSONField(_("审核环节"), default=list)

    class Meta:
        verbose_name = _("保密审查单")
        verbose_name_plural = _("保密审查单")
        ordering = ["-reviewed_at", "-id"]

    def __str__(self):
        return f"{self.page_title}（{self.reviewed_at:%Y-%m-%d}）"


class ForcePublicationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(reviewed_at__isnull=True)


class ForcePublication(models.Model):
    """A publication by the web office outside the chain, flagged until reviewed afterwards."""

    page = models.ForeignKey(
        "wagtailcore.Page", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("页面")
    )
    page_title = models.CharField(_("标题"), max_length=255)
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("版本")
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("发布人")
    )
    published_by_name = models.CharField(_("发布人姓名"), max_length=150)
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    reason = models.TextField(_("强制发布理由"))
    scan_verdict = models.CharField(_("检查结论"), max_length=10, choices=Verdict.choices, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("事后审查人"),
    )
    reviewed_by_name = models.CharField(_("事后审查人姓名"), max_length=150, blank=True)
    reviewed_at = models.DateTimeField(_("事后审查时间"), null=True, blank=True)
    review_opinion = models.TextField(_("事后审查意见"), blank=True)

    objects = ForcePublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("强制发布记录")
        verbose_name_plural = _("强制发布记录")
        ordering = ["-published_at", "-id"]

    def __str__(self):
        return f"{self.page_title}（{self.published_at:%Y-%m-%d %H:%M}）"

    @property
    def is_pending(self):
        return self.reviewed_at is None
