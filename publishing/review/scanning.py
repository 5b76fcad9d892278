"""The confidentiality scan of an item: every text of a revision in one engine call, stored with it.

The title, every own text field, StreamField text (rich text included) and the text of every
attached document (StreamField document choosers) are read as named fields of one ``Scanner.scan``
call, so a finding names where it is ("正文", "附件：通知.docx").

A document's text is read once, when the document is saved with a new file (``read_attachment``,
connected to the document model's post_save below), within the limits of
``CMS_ATTACHMENT_EXTRACTION`` (publishing.confidentiality.extract), and stored as an ``AttachmentText``. A scan
uses the stored text: opening an edit page, which scans the latest revision, never runs a reader
(an 18 KB PDF once held that page for 99.7 s). Only a document stored before texts were kept is
read at its first scan, within the same limits. A file a limit stopped is scanned on what was read
and reported to the reviewer as "附件过大或过于复杂，未能完整检查".
"""

import hashlib
import json
import logging

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.documents.models import AbstractDocument

from cms.text import read_page
from publishing.confidentiality import wordlists
from publishing.confidentiality.extract import ExtractionError, Limits, extract
from publishing.confidentiality.rules import RULE_LABELS, SEVERITY_LABELS

from .models import AttachmentText, ScanReport

logger = logging.getLogger(__name__)

# Page fields people write besides the page type's own (Wagtail's SEO fields show in search results).
_PAGE_TEXT_FIELDS = ("seo_title", "search_description")


def page_fields(page):
    """``(fields, documents)``: field name → text of ``page``, and the attached documents.

    The title, the SEO fields and every own text field (cms.text.read_page), named by label.
    """
    texts, documents = read_page(page, wagtail_fields=_PAGE_TEXT_FIELDS)
    fields = {}
    for label, text in [("标题", page.title), *((piece.label, piece.plain) for piece in texts)]:
        if not text:
            continue
        key, number = label, 2
        while key in fields:  # two paragraphs of a StreamField: 专题内容·正文段落, …·正文段落 2
            key, number = f"{label} {number}", number + 1
        fields[key] = text
    return fields, documents


def extraction_limits():
    """The bounds of one attachment read, from ``CMS_ATTACHMENT_EXTRACTION`` (publishing.confidentiality.extract.Limits)."""
    return Limits.from_mapping(getattr(settings, "CMS_ATTACHMENT_EXTRACTION", {}))


def attachment_name(document):
    """The name people know a document by: its title, with the file's extension."""
    # The stored file name may carry a suffix the storage added; people know the title.
    extension = f".{document.file_extension}" if document.file_extension else ""
    return document.title if document.title.lower().endswith(extension) else f"{document.title}{extension}"


def read_attachment(document):
    """Read the text of ``document``'s file within the limits and store it; the AttachmentText, or
    None when the file is missing (nothing is stored: it may come back)."""
    name = attachment_name(document)
    limits = extraction_limits()
    try:
        with document.open_file() as handle:
            extraction = extract(handle, name, limits)
    except ExtractionError as exc:
        values = {"status": AttachmentText.Status.UNREADABLE, "text": "", "message": str(exc), "seconds": 0}
    except OSError:
        return None
    else:
        partial = not extraction.complete
        if partial:
            logger.warning(
                "attachment %s (%r) read in part: %s after %.1f s",
                document.pk,
                name,
                extraction.incomplete_reason,
                extraction.seconds,
            )
        values = {
            "status": AttachmentText.Status.PARTIAL if partial else AttachmentText.Status.COMPLETE,
            # PostgreSQL text cannot hold NUL; the scanner never matches across one anyway.
            "text": extraction.text.replace("\x00", ""),
            "message": extraction.notice(name, limits) if partial else "",
            "seconds": round(extraction.seconds, 3),
        }
    text, _created = AttachmentText.objects.update_or_create(
        document=document, defaults={"file_name": document.file.name, **values}
    )
    return text


def stored_text(document):
    """The stored text of ``document``'s current file, or None when it was not read yet."""
    text = AttachmentText.objects.filter(document=document).first()
    return text if text is not None and text.file_name == document.file.name else None


@receiver(post_save, dispatch_uid="review_read_attachment_on_save")
def read_attachment_on_save(sender, instance, created=False, raw=False, **kwargs):
    """A document saved with a file not read yet (an upload, a replaced file) is read now, where its
    uploader waits anyway and the limits bound the wait, rather than when someone opens a page."""
    if raw or not isinstance(instance, AbstractDocument) or not instance.file:
        return
    if stored_text(instance) is None:
        read_attachment(instance)


def attachment_texts(documents):
    """``(fields, unchecked)``: 附件：name → text, and the reviewer's messages about files that could
    not be read, or not in full (those are scanned on what was read)."""
    fields, unchecked = {}, []
    seen = set()
    for document in documents:
        if document.pk in seen:
            continue
        seen.add(document.pk)
        name = attachment_name(document)
        text = stored_text(document) or read_attachment(document)
        if text is None:
            unchecked.append(f"“{name}”文件缺失，无法自动检查，请人工审查。")
            continue
        if text.status != AttachmentText.Status.UNREADABLE:
            fields[f"附件：{name}"] = text.text
        if text.status != AttachmentText.Status.COMPLETE:
            unchecked.append(text.message)
    return fields, unchecked


def scan_page(page):
    """Scan ``page`` (an in-memory page, e.g. ``revision.as_object()``): ``(ScanResult, unchecked)``."""
    fields, documents = page_fields(page)
    attachments, unchecked = attachment_texts(documents)
    fields.update(attachments)
    return wordlists.scan_fields(fields), unchecked


def content_digest(revision):
    return hashlib.sha256(json.dumps(revision.content, sort_keys=True, default=str).encode()).hexdigest()


def report_for(revision):
    """The scan report of ``revision`` as it is now, scanning it if it was not scanned yet."""
    digest = content_digest(revision)
    report = ScanReport.objects.filter(revision=revision, content_digest=digest).first()
    if report is not None:
        return report
    result, unchecked = scan_page(revision.as_object())
    verdict = result.verdict
    if verdict == "pass" and unchecked:
        verdict = "review"  # a file nobody could read is for a person to read
    report, _created = ScanReport.objects.get_or_create(
        revision=revision,
        content_digest=digest,
        defaults={
            "page_id": int(revision.object_id),
            "verdict": verdict,
            "findings": result.as_dict()["findings"],
            "unchecked": unchecked,
        },
    )
    return report


def latest_report(page):
    """The report of the page's latest revision (scanned now if needed), or None without revisions."""
    revision = page.get_latest_revision()
    return report_for(revision) if revision is not None else None


def findings_comment(report, limit=10):
    """The findings as the comment of an automatic rejection: what, where, and the rule."""
    lines = ["保密检查发现禁止发布的内容，已自动退回："]
    for finding in report.findings[:limit]:
        rule = RULE_LABELS.get(finding["rule"], finding["rule"])
        severity = SEVERITY_LABELS.get(finding["severity"], finding["severity"])
        lines.append(f"【{severity}】{finding['field']}：“{finding['text']}”（{rule}）")
    if len(report.findings) > limit:
        lines.append(f"……共 {len(report.findings)} 处，详见审核信息页。")
    return "\n".join(lines)
