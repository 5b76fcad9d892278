"""The cluster catalogue and its outbox, in the public schema.

Every publish, unpublish, move or delete of an item on any site rewrites the item's catalogue row
in the same transaction, so portal listings, cross-site search and supervision never disagree
with what is live. Engines that are not transactional (Elasticsearch, static output, CDN purge)
are fed from the outbox, which a worker drains with retries: nothing is lost while one is down.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sites.hosts import relocate


class CatalogueQuerySet(models.QuerySet):
    def live(self):
        return self.filter(tenant__status="active")

    def for_site(self, code):
        return self.filter(tenant__code=code)

    def newest_first(self):
        return self.order_by("-published_at", "-id")


class CatalogueEntry(models.Model):
    tenant = models.ForeignKey("sites.Tenant", on_delete=models.CASCADE, related_name="catalogue_entries")
    page_id = models.IntegerField(_("页面 ID"))
    content_type = models.CharField(_("类型"), max_length=50, db_index=True)
    content_type_label = models.CharField(_("类型名称"), max_length=50)
    column_class = models.CharField(_("栏目类型"), max_length=20, blank=True, db_index=True)
    column_title = models.CharField(_("栏目"), max_length=255, blank=True)
    url = models.URLField(_("地址"), max_length=500)
    title = models.CharField(_("标题"), max_length=255)
    summary = models.TextField(_("摘要"), blank=True)
    body_text = models.TextField(_("正文文本"), blank=True)
    published_at = models.DateTimeField(_("首次发布时间"), db_index=True)
    last_published_at = models.DateTimeField(_("最近发布时间"), null=True, blank=True)
    thumbnail_url = models.CharField(_("缩略图"), max_length=500, blank=True)
    # Disclosure metadata (政府信息公开目录系统实施指引); empty for other types.
    index_number = models.CharField(_("索引号"), max_length=40, blank=True, db_index=True)
    document_number = models.CharField(_("文号"), max_length=100, blank=True, db_index=True)
    publisher = models.CharField(_("发布机构"), max_length=100, blank=True)
    written_date = models.DateField(_("成文日期"), null=True, blank=True)
    topic_category = models.CharField(_("主题分类"), max_length=20, blank=True, db_index=True)
    genre = models.CharField(_("体裁分类"), max_length=20, blank=True)
    keywords = models.CharField(_("主题词"), max_length=200, blank=True)
    validity = models.CharField(_("有效性"), max_length=20, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("站群目录条目")
        verbose_name_plural = _("站群目录")
        constraints = [models.UniqueConstraint(fields=["tenant", "page_id"], name="one_catalogue_row_per_page")]
        indexes = [models.Index(fields=["tenant", "-published_at"], name="catalogue_site_newest")]

    def __str__(self):
        return self.title

    def public_url(self, request=None):
        """The page on its site's current host, scheme and port: only the path of the stored ``url``
        counts, so a port or host change needs no re-indexing (sites/hosts.py)."""
        return relocate(self.url, self.tenant_id, request)


class OutboxQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(done_at__isnull=True)


class OutboxEvent(models.Model):
    """ "Item X of site S changed": the engine named here must make itself match the catalogue."""

    engine = models.CharField(max_length=50, db_index=True)
    tenant_code = models.CharField(max_length=30)
    page_id = models.IntegerField()
    action = models.CharField(max_length=20)  # publish / unpublish / move / delete / reindex
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("发件箱事件")
        verbose_name_plural = _("发件箱")
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(done_at__isnull=True), name="outbox_due")
        ]

    def __str__(self):
        return f"{self.engine} {self.action} {self.tenant_code}/{self.page_id}"
