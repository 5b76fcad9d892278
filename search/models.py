"""The PostgreSQL search index over the catalogue, and the web office's synonym list (public schema)."""

import re

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Func
from django.utils.translation import gettext_lazy as _

SYNONYM_SEPARATORS = re.compile(r"[=＝,，、;；\s]+")


class TitleLexemes(Func):
    """The title's lexemes with their positions: the weight-A part of the document's tsvector."""

    function = "ts_filter"
    template = "%(function)s(%(expressions)s, '{a}'::\"char\"[])"
    output_field = SearchVectorField()


class LocalYear(Func):
    """The calendar year of a timestamp in China Standard Time (facets count documents per year)."""

    template = "(extract(year FROM %(expressions)s AT TIME ZONE 'Asia/Shanghai'))::smallint"
    output_field = models.SmallIntegerField()


class SearchDocument(models.Model):
    """One row per catalogue entry: its tokens as a tsvector, and the columns search filters on.

    The filter columns are copied from the catalogue row so a search never joins it for the whole
    match set (only for the page of results shown); the row is rewritten in the publishing
    transaction and removed with the catalogue row (cascade), so it cannot drift.
    """

    entry = models.OneToOneField(
        "catalogue.CatalogueEntry", primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    tenant = models.ForeignKey("sites.Tenant", on_delete=models.CASCADE, related_name="+", db_index=False)
    content_type = models.CharField(max_length=50)
    column_class = models.CharField(max_length=20, blank=True)
    topic_category = models.CharField(max_length=20, blank=True)
    validity = models.CharField(max_length=20, blank=True)
    published_at = models.DateTimeField()
    # Derived by PostgreSQL: the year facet groups on it instead of converting every match's time.
    published_year = models.GeneratedField(
        expression=LocalYear("published_at"), output_field=models.SmallIntegerField(), db_persist=True
    )
    # Canonical 文号 and 索引号 (search.text.*_key) for exact look-up whatever brackets were typed.
    document_number_key = models.CharField(max_length=100, blank=True)
    index_number_key = models.CharField(max_length=40, blank=True)
    vector = SearchVectorField()
    # Derived by PostgreSQL from ``vector`` (so it can never disagree with it): a small GIN index
    # for title suggestions with prefix matching, and "every word in the title" when choosing
    # which of very many matches to rank.
    title_vector = models.GeneratedField(
        expression=TitleLexemes("vector"), output_field=SearchVectorField(), db_persist=True
    )

    class Meta:
        verbose_name = _("搜索索引条目")
        verbose_name_plural = _("搜索索引")
        indexes = [
            GinIndex(fields=["vector"], name="search_doc_vector"),
            GinIndex(fields=["title_vector"], name="search_doc_title"),
            models.Index(fields=["-published_at"], name="search_doc_newest"),
            models.Index(fields=["tenant", "-published_at"], name="search_doc_site_newest"),
            # No index on content_type: with two or three values the planner preferred walking it
            # and testing each row's tsvector to the GIN index (10k documents: 87 ms of CPU against 15).
            models.Index(
                fields=["document_number_key"], name="search_doc_docnum", condition=~models.Q(document_number_key="")
            ),
            models.Index(
                fields=["index_number_key"], name="search_doc_indexnum", condition=~models.Q(index_number_key="")
            ),
        ]

    def __str__(self):
        return f"{self.tenant_id}/{self.entry_id}"


class SynonymGroup(models.Model):
    """Words a reader may use for the same thing (医保 = 医疗保障); a search for one finds all."""

    terms = models.CharField(
        _("同义词"),
        max_length=500,
        help_text=_("用等号、逗号或空格分隔同一组的词，例如：医保 = 医疗保障 = 医疗保险"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("搜索同义词")
        verbose_name_plural = _("搜索同义词")
        ordering = ["id"]

    def __str__(self):
        return " = ".join(self.term_list())

    def term_list(self):
        seen = []
        for term in SYNONYM_SEPARATORS.split(self.terms or ""):
            term = term.strip()
            if term and term not in seen:
                seen.append(term)
        return seen

    def clean(self):
        if len(self.term_list()) < 2:
            raise ValidationError({"terms": _("一组同义词至少要有两个不同的词。")})
        if any(len(term) > 30 for term in self.term_list()):
            raise ValidationError({"terms": _("每个词不能超过 30 个字。")})
        self.terms = " = ".join(self.term_list())
