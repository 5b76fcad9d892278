"""意见征集: a draft policy put to the public, their comments, and the 意见采纳情况 after closing.

A ``ConsultationPage`` holds the draft (rich text, sanitised on save by cms like every page's rich
text), optional attachments, the opening and closing times and, once closed, the feedback the
editors write. The public comment while it is open (``comment/``, a POST with CSRF); a comment is
shown only after the site's staff approved it (``ConsultationComment.approve``); the contact a
commenter leaves is encrypted at rest and never shown on the page.
"""

from django import forms
from django.conf import settings
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index

from cms.blocks import ATTACHMENT_BLOCKS
from cms.models import ColumnClass, SitePage

from ..crypto import EncryptedTextField, mask_name
from . import participation
from .participation import Phase

COMMENT_MAX = 2000
NAME_MAX = 30
CONTACT_MAX = 100


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已公开")
    REJECTED = "rejected", _("不予公开")


class CommentForm(forms.Form):
    name = forms.CharField(label="姓名（选填）", max_length=NAME_MAX, required=False)
    contact = forms.CharField(
        label="联系方式（选填，不公开）",
        max_length=CONTACT_MAX,
        required=False,
        help_text="便于我们就您的意见与您联系，只有本站工作人员可见。",
    )
    text = forms.CharField(
        label="意见建议",
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "请填写意见建议。", "max_length": f"意见建议不能超过 {COMMENT_MAX} 字。"},
    )
    # The honeypot: hidden by CSS, out of the tab order; a person leaves it empty.
    homepage = forms.CharField(
        label="请勿填写此项",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["max_length"] = f"姓名不能超过 {NAME_MAX} 字。"
        self.fields["contact"].error_messages["max_length"] = f"联系方式不能超过 {CONTACT_MAX} 字。"

    def clean_text(self):
        text = participation.clean_text(self.cleaned_data["text"])
        if not text:
            raise forms.ValidationError("请填写意见建议。")
        return text


class ConsultationPage(participation.ParticipationPeriod, RoutablePageMixin, SitePage):
    """意见征集: the draft, the period, the public's comments (moderated) and the feedback."""

    period_label = "征集截止时间"

    catalogue_type = "consultation"
    # The feedback is published only after closing: left out of the catalogue's body text, so
    # cross-site search cannot show it early (the confidentiality scan still reads every field).
    catalogue_metadata = ("feedback",)
    # A column lists it among its items (cms.models.columns.item_models).
    column_item = True

    summary = models.TextField(_("征集说明"), blank=True, max_length=500, help_text=_("列表和检索结果中显示"))
    body = RichTextField(_("征求意见稿"))
    attachments = StreamField(ATTACHMENT_BLOCKS, verbose_name=_("附件"), blank=True)
    opens_at = models.DateTimeField(_("征集开始时间"))
    closes_at = models.DateTimeField(_("征集截止时间"))
    organiser = models.CharField(_("征集单位"), max_length=100, blank=True)
    feedback = RichTextField(
        _("意见采纳情况"),
        blank=True,
        help_text=_("征集结束后在页面上公布：收到意见的总体情况、采纳情况及不予采纳的理由"),
    )

    parent_page_types = ["cms.ColumnPage"]
    subpage_types = []
    column_classes = (ColumnClass.INTERACTION,)  # 互动交流 columns only (cms.structure)
    content_panels = SitePage.content_panels + [
        FieldPanel("summary"),
        FieldPanel("organiser"),
        FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")], heading=_("征集时间")),
        FieldPanel("body"),
        FieldPanel("attachments"),
        MultiFieldPanel([FieldPanel("feedback")], heading=_("意见采纳情况（征集结束后公布）")),
    ]
    search_fields = SitePage.search_fields + [index.SearchField("body")]

    class Meta:
        verbose_name = _("意见征集")
        verbose_name_plural = _("意见征集")

    def approved_comments(self):
        return self.comments.filter(status=CommentStatus.APPROVED).order_by("submitted_at", "pk")

    def received_count(self):
        return self.comments.count()

    def adopted_count(self):
        return self.comments.filter(adopted=True).count()

    def shows_feedback(self, now=None):
        """意见采纳情况 is published on the page once the consultation has closed."""
        return self.phase(now) == Phase.CLOSED and bool(self.feedback)

    # --- Submitting --------------------------------------------------------------------------

    def add_comment(self, *, text, name="", contact="", submitted_at=None):
        """Store a comment as pending (model API: the form, the demo seeder and tests use it)."""
        comment = ConsultationComment(
            page=self,
            text=participation.clean_text(text)[:COMMENT_MAX],
            name=participation.clean_text(name)[:NAME_MAX],
            contact=participation.clean_text(contact)[:CONTACT_MAX],
        )
        comment.save()
        if submitted_at is not None:  # the seeder backdates its examples; auto_now_add ignores a value
            ConsultationComment.objects.filter(pk=comment.pk).update(submitted_at=submitted_at)
            comment.submitted_at = submitted_at
        return comment

    def get_context(self, request, *args, **kwargs):
        form = kwargs.pop("comment_form", None)
        error = kwargs.pop("comment_error", "")
        context = super().get_context(request, *args, **kwargs)
        context.update(
            phase=self.phase(),
            phases=Phase,
            opens_at_text=participation.local_minute(self.opens_at),
            closes_at_text=participation.local_minute(self.closes_at),
            comments=self.approved_comments(),
            received_count=self.received_count(),
            adopted_count=self.adopted_count(),
            show_feedback=self.shows_feedback(),
            comment_form=form or CommentForm(),
            comment_error=error,
            comment_sent=request.GET.get("sent") == "1",
            comment_url=(self.get_url(request) or "") + self.reverse_subpage("comment"),
            comment_max=COMMENT_MAX,
            honeypot_field=participation.HONEYPOT_FIELD,
        )
        return context

    def _page_with_form(self, request, form, error, status):
        response = TemplateResponse(
            request,
            self.get_template(request),
            self.get_context(request, comment_form=form, comment_error=error),
            status=status,
        )
        return participation.keep_out_of_cache(response)

    @path("comment/", name="comment")
    def comment(self, request):
        """The comment form's target (POST, CSRF checked by Django's middleware)."""
        if request.method != "POST":
            return redirect(self.get_url(request))
        form = CommentForm(request.POST)
        if not self.is_open():
            message = (
                "本次意见征集尚未开始。" if self.phase() == Phase.UPCOMING else "本次意见征集已结束，不再接收意见。"
            )
            return self._page_with_form(request, form, message, 403)
        if participation.honeypot_filled(request.POST):
            # A bot: answered as if accepted, so it learns nothing; nothing is stored.
            return redirect(self.get_url(request) + "?sent=1#comment-result")
        allowed, retry_after = participation.allow_submission(request)
        if not allowed:
            response = self._page_with_form(request, form, participation.rate_limited_message(retry_after), 429)
            response["Retry-After"] = str(retry_after)
            return response
        if not form.is_valid():
            return self._page_with_form(request, form, "提交未成功，请按提示修改后再提交。", 400)
        data = form.cleaned_data
        self.add_comment(text=data["text"], name=data["name"], contact=data["contact"])
        return redirect(self.get_url(request) + "?sent=1#comment-result")


class ConsultationComment(models.Model):
    """One comment of the public on a consultation, in the site's schema.

    Shown on the page only once ``status`` is approved (moderated by the site's staff, see
    interaction/pages/moderation.py); ``contact`` is encrypted at rest and never shown publicly.
    """

    page = models.ForeignKey(
        ConsultationPage, on_delete=models.CASCADE, related_name="comments", verbose_name=_("意见征集")
    )
    name = EncryptedTextField(_("姓名"), blank=True)
    contact = EncryptedTextField(_("联系方式"), blank=True)
    text = models.TextField(_("意见建议"), max_length=COMMENT_MAX)
    status = models.CharField(
        _("审核状态"), max_length=10, choices=CommentStatus.choices, default=CommentStatus.PENDING
    )
    adopted = models.BooleanField(_("已采纳"), default=False)
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    moderated_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("征集意见")
        verbose_name_plural = _("征集意见")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["page", "status"])]

    def __str__(self):
        return f"{self.page.title}：{self.text[:20]}"

    @property
    def public_name(self):
        """What the page shows of the commenter: the name masked (张*), or 网友."""
        return mask_name(self.name) or "网友"

    @property
    def submitted_at_text(self):
        return participation.local_minute(self.submitted_at)

    def moderate(self, status, user=None, adopted=None):
        """Set the moderation decision (and optionally 已采纳); purges the site's cached pages."""
        self.status = status
        if adopted is not None:
            self.adopted = adopted
        self.moderated_at = timezone.now()
        self.moderated_by = user if getattr(user, "pk", None) else None
        self.save(update_fields=["status", "adopted", "moderated_at", "moderated_by"])
        participation.purge_pages()
        return self

    def approve(self, user=None, adopted=None):
        return self.moderate(CommentStatus.APPROVED, user, adopted)

    def reject(self, user=None):
        return self.moderate(CommentStatus.REJECTED, user, adopted=False)
