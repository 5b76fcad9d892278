"""The one walker over the text of a page: every text field, StreamField text and attached document.

``read_page(page)`` returns ``(texts, documents)``: a ``Text`` per piece people wrote, in field
order (StreamField pieces in block order, named ``正文段落`` after the field's label), and the
documents the page's StreamFields attach (``DocumentChooserBlock``). Callers choose what they
need: the confidentiality scan (publishing.review.scanning) reads everything, Wagtail's title and
SEO fields included, as ``Text.plain``; the catalogue's body text (``SitePage.catalogue_text``)
leaves out Wagtail's own fields and the disclosure metadata, and stores ``Text.compact``.

A page type's *own* text fields are its concrete ``CharField``/``TextField`` (URLs included),
``RichTextField`` and ``StreamField`` fields that are not Wagtail's ``Page`` fields and have no
choices (a choice is a code, not text).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.db import models
from django.utils.html import strip_tags
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.rich_text import get_text_for_indexing

_BLOCK_END = re.compile(r"</(p|h[1-6]|li|tr|td|th|blockquote|div)>|<br\s*/?>", re.IGNORECASE)

TEXT = "text"
RICH_TEXT = "rich_text"
RAW_HTML = "raw_html"


def html_text(value):
    """Plain text of (rich text) HTML, one line per block, entities decoded."""
    return html.unescape(strip_tags(_BLOCK_END.sub(lambda match: match.group(0) + "\n", value or ""))).strip()


@dataclass(frozen=True)
class Text:
    """One piece of a page's text: ``value`` as stored (HTML for rich text and raw HTML)."""

    field: models.Field
    label: str
    value: str
    kind: str = TEXT
    in_stream: bool = False

    @property
    def plain(self):
        """The text as people read it: one line per block of HTML, entities decoded."""
        return html_text(self.value) if self.kind != TEXT else self.value

    @property
    def compact(self):
        """The text as the catalogue stores it: tags stripped, blocks run together, as Wagtail
        indexes StreamFields (raw HTML is not indexed: None). Kept unchanged so rows written
        earlier still match their pages."""
        if self.kind == RAW_HTML:
            return None
        if self.in_stream:
            source = get_text_for_indexing(self.value) if self.kind == RICH_TEXT else self.value
            return strip_tags(source)
        return html.unescape(strip_tags(self.value)) if self.kind == RICH_TEXT else self.value


def own_text_fields(model, exclude=()):
    """The page type's own text fields (see the module docstring), in field order."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.model is not Page
        and not field.choices
        and not field.primary_key
        and field.name not in exclude
        and isinstance(field, (StreamField, RichTextField, models.CharField, models.TextField))
    ]


def _walk_block(field, block, value, label, texts, documents):
    if value is None:
        return
    if isinstance(block, DocumentChooserBlock):
        documents.append(value)
    elif isinstance(block, blocks.RichTextBlock):
        source = value.source if hasattr(value, "source") else str(value)
        texts.append(Text(field, label, source, RICH_TEXT, in_stream=True))
    elif isinstance(block, blocks.RawHTMLBlock):
        texts.append(Text(field, label, str(value), RAW_HTML, in_stream=True))
    elif isinstance(block, blocks.StructBlock):
        for name, child in block.child_blocks.items():
            _walk_block(field, child, value.get(name), label, texts, documents)
    elif isinstance(block, blocks.ListBlock):
        for item in value:
            _walk_block(field, block.child_block, item, label, texts, documents)
    elif isinstance(block, blocks.StreamBlock):
        for child in value:
            _walk_block(field, child.block, child.value, f"{label}·{child.block.label}", texts, documents)
    elif isinstance(block, (blocks.CharBlock, blocks.TextBlock)):
        texts.append(Text(field, label, str(value), TEXT, in_stream=True))


def read_page(page, *, wagtail_fields=(), exclude=()):
    """``(texts, documents)`` of ``page``: Wagtail's fields named in ``wagtail_fields`` (e.g. the
    SEO fields), then the page type's own text fields except ``exclude``; empty fields are skipped."""
    page = page.specific if type(page) is Page else page
    texts, documents = [], []
    for name in wagtail_fields:
        field = Page._meta.get_field(name)
        value = getattr(page, name, "") or ""
        if value:
            texts.append(Text(field, str(field.verbose_name), str(value)))
    for field in own_text_fields(type(page), exclude):
        value = getattr(page, field.name, None)
        if not value:
            continue
        label = str(field.verbose_name)
        if isinstance(field, StreamField):
            _walk_block(field, field.stream_block, value, label, texts, documents)
        elif isinstance(field, RichTextField):
            texts.append(Text(field, label, value, RICH_TEXT))
        else:
            texts.append(Text(field, label, str(value)))
    return texts, documents
