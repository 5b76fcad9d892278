"""The one sentence that sums up a scan, derived from the findings it counts.

A summary once read "保密检查结论：未发现问题（…发现 2 处）": the verdict "pass" allows suggestions
(a word list's preferred wording), and the conclusion was the verdict's label while the count was
the number of findings. Here the conclusion and the counts come from the same list, so they can
never contradict each other.
"""

from dataclasses import dataclass

from .rules import BLOCK, REVIEW, RULE_LABELS, SEVERITY_LABELS, SUGGEST

_ORDER = (BLOCK, REVIEW, SUGGEST)


def _value(finding, name):
    return finding.get(name, "") if isinstance(finding, dict) else getattr(finding, name, "")


@dataclass(frozen=True)
class Conclusion:
    verdict: str  # "block" | "review" | "pass", as ScanResult.verdict
    headline: str  # 禁止发布 / 需人工审核 / 无需人工审核，有修改建议 / 未发现问题
    counts: str  # 发现 3 处：禁止发布 1 处（密级标志 1 处）；修改建议 2 处（词库词语 2 处）
    total: int

    def __str__(self):
        return f"{self.headline}（{self.counts}）"


def conclude(findings):
    """The ``Conclusion`` of ``findings`` (``Finding`` objects or their stored dicts)."""
    by_severity = {}
    for finding in findings:
        severity = _value(finding, "severity")
        rule = _value(finding, "rule")
        rules_seen = by_severity.setdefault(severity, {})
        label = RULE_LABELS.get(rule, rule)
        rules_seen[label] = rules_seen.get(label, 0) + 1
    total = sum(sum(labels.values()) for labels in by_severity.values())
    if not total:
        return Conclusion("pass", "未发现问题", "发现 0 处", 0)
    if BLOCK in by_severity:
        verdict, headline = "block", SEVERITY_LABELS[BLOCK]
    elif REVIEW in by_severity:
        verdict, headline = "review", SEVERITY_LABELS[REVIEW]
    else:
        verdict, headline = "pass", "无需人工审核，有修改建议"
    parts = []
    for severity in sorted(by_severity, key=lambda s: _ORDER.index(s) if s in _ORDER else len(_ORDER)):
        labels = by_severity[severity]
        detail = "、".join(f"{label} {count} 处" for label, count in labels.items())
        parts.append(f"{SEVERITY_LABELS.get(severity, severity)} {sum(labels.values())} 处（{detail}）")
    return Conclusion(verdict, headline, f"发现 {total} 处：" + "；".join(parts), total)
