"""What the reviewer reads on 审核信息: the text of the revision under review, as its readers will see it.

The reviewer approves a revision, so the content shown is that revision's (not the live page's):
every text the page type's own fields hold, in field order (cms.text.read_page, the walker the
scan uses), rich text rendered after the cluster's sanitiser, and the attached documents.
"""

from dataclasses import dataclass, field

from django.utils.html import linebreaks
from django.utils.safestring import mark_safe
from wagtail.rich_text import expand_db_html

from cms.sanitize import sanitize_html, sanitize_rich_text
from cms.text import RAW_HTML, RICH_TEXT, read_page

from .scanning import attachment_name


@dataclass
class ReviewContent:
    title: str
    parts: list = field(default_factory=list)  # [(label, safe HTML)]
    attachments: list = field(default_factory=list)  # [(name, url)]


def _html(piece):
    if piece.kind == RICH_TEXT:
        # Sanitised again at display: a revision stored before the sanitiser existed is shown safe too.
        return mark_safe(expand_db_html(sanitize_rich_text(piece.value)))  # noqa: S308 - sanitised above
    if piece.kind == RAW_HTML:
        return mark_safe(sanitize_html(piece.value))  # noqa: S308 - sanitised above
    return linebreaks(piece.value, autoescape=True)


def content_for_review(page, revision=None):
    """The ``ReviewContent`` of ``revision`` of ``page`` (the page itself without a revision)."""
    item = revision.as_object() if revision is not None else page
    texts, documents = read_page(item)
    content = ReviewContent(title=item.title)
    for piece in texts:
        content.parts.append((piece.label, _html(piece)))
    seen = set()
    for document in documents:
        if document.pk in seen:
            continue
        seen.add(document.pk)
        content.attachments.append((attachment_name(document), document.url))
    return content
