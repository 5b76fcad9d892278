"""Shared records of cross-site publishing, in the public schema.

* ``Submission``: 信息报送, a department's live item offered to a portal column. Adoption copies
  nothing: the portal lists the item from the catalogue and links to the original.
* ``DocumentValidity``: the one store of a disclosure document's 有效性 (design §2, 统一信息资源库).
  It outlives unpublishing, so a document that comes back keeps its status; the catalogue row
  and the search index carry a projection written in the same transaction.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionStatus(models.TextChoices):
    OFFERED = "offered", _("待采用")
    ADOPTED = "adopted", _("已采用")
    DECLINED = "declined", _("未采用")
    WITHDRAWN = "withdrawn", _("已撤回")


class SubmissionQuerySet(models.QuerySet):
    def offered_by_site(self, tenant):
        return self.filter(source_tenant=tenant)

    def offered_to_site(self, tenant):
        return self.filter(target_tenant=tenant)

    def open(self):
        return self.filter(status=SubmissionStatus.OFFERED)

    def adopted(self):
        return self.filter(status=SubmissionStatus.ADOPTED)


class Submission(models.Model):
    source_tenant = models.ForeignKey(
        "sites.Tenant", verbose_name=_("报送站点"), on_delete=models.CASCADE, related_name="submissions_made"
    )
    page_id = models.IntegerField(_("页面 ID"))
    # The row at the time of the offer; the portal listing joins on (site, page id) instead, so an
    # item that is unpublished disappears and one that is republished comes back.
    entry = models.ForeignKey(
        "catalogue.CatalogueEntry", verbose_name=_("目录条目"), null=True, blank=True, on_delete=models.SET_NULL
    )
    title = models.CharField(_("标题"), max_length=255)
    url = models.URLField(_("原文地址"), max_length=500)
    target_tenant = models.ForeignKey(
        "sites.Tenant", verbose_name=_("报送目标站点"), on_delete=models.CASCADE, related_name="submissions_received"
    )
    target_column_id = models.IntegerField(_("目标栏目页面 ID"))
    target_column_title = models.CharField(_("目标栏目"), max_length=255)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报送人"), on_delete=models.PROTECT, related_name="+"
    )
    offered_at = models.DateTimeField(_("报送时间"), auto_now_add=True, db_index=True)
    note = models.CharField(_("报送说明"), max_length=500, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.OFFERED, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    reason = models.TextField(_("不采用理由"), blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("信息报送")
        verbose_name_plural = _("信息报送")
        ordering = ["-offered_at", "-id"]
        constraints = [
            # One open or adopted offer of an item per target column; after a decline it may be offered again.
            models.UniqueConstraint(
                fields=["source_tenant", "page_id", "target_tenant", "target_column_id"],
                condition=models.Q(status__in=["offered", "adopted"]),
                name="one_pending_offer_per_item_and_column",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(reason=""), name="declined_needs_reason"
            ),
        ]
        indexes = [models.Index(fields=["target_tenant", "target_column_id", "status"], name="submission_target")]

    def __str__(self):
        return f"{self.title} → {self.target_column_title}"


class DocumentValidity(models.Model):
    tenant = models.ForeignKey("sites.Tenant", on_delete=models.CASCADE, related_name="document_validities")
    page_id = models.IntegerField(_("页面 ID"))
    index_number = models.CharField(_("索引号"), max_length=40, blank=True, db_index=True)
    validity = models.CharField(_("有效性"), max_length=20)
    changed_at = models.DateTimeField(_("变更时间"), auto_now=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("变更人"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("文件有效性")
        verbose_name_plural = _("文件有效性")
        constraints = [models.UniqueConstraint(fields=["tenant", "page_id"], name="one_validity_per_document")]

    def __str__(self):
        return f"{self.index_number or self.page_id}: {self.validity}"
