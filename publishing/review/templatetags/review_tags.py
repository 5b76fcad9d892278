"""Findings shown in their context, the hit highlighted (the reviewer sees why, and where)."""

from django import template
from django.utils.html import format_html

from publishing.confidentiality.conclusion import conclude
from publishing.confidentiality.rules import RULE_LABELS, SEVERITY_LABELS

from .. import scanning

register = template.Library()


@register.simple_tag
def finding_in_context(finding):
    """``…before<mark>hit</mark>after…`` from a stored finding (dict of ``Finding.as_dict``)."""
    context = finding.get("context", "")
    offset = finding.get("start", 0) - finding.get("context_start", 0)
    length = finding.get("end", 0) - finding.get("start", 0)
    before, hit, after = context[:offset], context[offset : offset + length], context[offset + length :]
    return format_html(
        '{}<mark class="review-hit review-hit--{}">{}</mark>{}',
        ("…" + before) if finding.get("context_start", 0) else before,
        finding.get("severity", ""),
        hit,
        after,
    )


# Wagtail's workflow statuses in the words of the chain (the admin may run in English).
STATUS_LABELS = {
    "in_progress": "审核中",
    "approved": "通过",
    "rejected": "退回修改",
    "needs_changes": "已退回，待修改",
    "cancelled": "已取消",
    "skipped": "已跳过",
}


@register.filter
def status_label(status):
    return STATUS_LABELS.get(status, status)


@register.filter
def scan_conclusion(findings):
    """The conclusion derived from stored findings (publishing.confidentiality.conclusion)."""
    return conclude(findings or [])


@register.filter
def rule_label(finding):
    return RULE_LABELS.get(finding.get("rule"), finding.get("rule"))


@register.filter
def severity_label(finding):
    return SEVERITY_LABELS.get(finding.get("severity"), finding.get("severity"))


@register.inclusion_tag("review/includes/findings.html")
def scan_findings(report=None, revision=None):
    """The findings table of ``report`` (or of ``revision``'s report)."""
    if report is None and revision is not None:
        report = scanning.report_for(revision)
    return {"report": report}
