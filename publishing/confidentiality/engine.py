"""The confidentiality scan (保密检查): one engine for the workflow, the import command and the CLI.

    scanner = Scanner(entries)          # entries from the web office's word lists (or none)
    result = scanner.scan({"title": "…", "body": "…", "attachment:通知.pdf": extract(f, name).text})
    result.verdict                       # "block" | "review" | "pass"
    result.as_dict()                     # {"verdict": …, "findings": [{rule, severity, text, field, …}]}

All fields are joined and read in one pass of a multi-pattern automaton that holds the built-in
triggers (publishing/confidentiality/rules.py) and every word-list entry together, plus one regex pass for digit
runs (personal data). The engine is pure Python and knows nothing of Django: publishing/confidentiality/wordlists.py
feeds it the entries of the active lists and caches it per list version.
"""

import bisect
from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field

from . import rules
from .automaton import KeywordAutomaton
from .extract import (  # noqa: F401 - the engine's API
    Extraction,
    ExtractionError,
    ExtractionIncomplete,
    Limits,
    UnsupportedFormat,
    extract,
    extract_text,
)

CONTEXT_CHARS = 20
# Joins the fields: a newline each side so a field starts on a line of its own (a notice standing
# alone on the first line of a body is a mark), and a NUL no keyword or digit run can span.
_FIELD_SEPARATOR = "\n\x00\n"
_SEVERITY_RANK = {rules.BLOCK: 3, rules.REVIEW: 2, rules.SUGGEST: 1}
# Word-list severities (publishing.confidentiality.models.Severity values) → finding severities.
_WORD_SEVERITY = {"block": rules.BLOCK, "flag": rules.REVIEW, "suggest": rules.SUGGEST}


@dataclass(frozen=True)
class WordRule:
    """One word-list entry as the engine sees it."""

    word: str
    severity: str  # "block" | "flag" | "suggest"
    replacement: str = ""
    note: str = ""
    list_name: str = ""

    def __post_init__(self):
        if self.severity not in _WORD_SEVERITY:
            raise ValueError(f"unknown severity {self.severity!r} for {self.word!r}")


@dataclass(slots=True)
class Finding:
    rule: str
    severity: str
    text: str
    field: str
    start: int
    end: int
    context: str
    context_start: int  # where ``context`` begins in the field: the hit is context[start - context_start:…]
    replacement: str = ""
    note: str = ""
    word_list: str = ""

    @property
    def rule_label(self):
        return rules.RULE_LABELS.get(self.rule, self.rule)

    @property
    def severity_label(self):
        return rules.SEVERITY_LABELS[self.severity]

    def as_dict(self):
        return asdict(self)


@dataclass
class ScanResult:
    findings: list = dataclass_field(default_factory=list)

    @property
    def verdict(self):
        """block if any finding blocks, review if any needs a reviewer, else pass (suggestions only)."""
        severities = {finding.severity for finding in self.findings}
        if rules.BLOCK in severities:
            return "block"
        if rules.REVIEW in severities:
            return "review"
        return "pass"

    @property
    def blocking(self):
        return [finding for finding in self.findings if finding.severity == rules.BLOCK]

    def as_dict(self):
        return {"verdict": self.verdict, "findings": [finding.as_dict() for finding in self.findings]}


class Scanner:
    """The built-in rules plus a fixed set of word-list entries, compiled once."""

    def __init__(self, entries=()):
        keywords = [(rules.normalise(trigger), ("rule", verify)) for trigger, verify in rules.TRIGGERS.items()]
        self.entry_count = 0
        for entry in entries:
            word = rules.normalise(entry.word.strip())
            if word:
                keywords.append((word, ("word", entry)))
                self.entry_count += 1
        self._automaton = KeywordAutomaton(keywords)

    def scan(self, fields):
        """Scan ``fields`` (a mapping field name → text, or one text) and return a ScanResult."""
        if isinstance(fields, str):
            fields = {"text": fields}
        names, texts, offsets = [], [], []
        position = 0
        for name, text in fields.items():
            text = text or ""
            names.append(name)
            texts.append(text)
            offsets.append(position)
            position += len(text) + len(_FIELD_SEPARATOR)
        raw = _FIELD_SEPARATOR.join(texts)
        # A mark split by invisible characters or spaces (秘\u200b密, 秘 密★1年) is read as written
        # for the reader: scan the compact copy and map positions back to the text.
        compacted, mapping = rules.compact(raw)
        joined = rules.normalise(compacted)

        hits = []  # (rule, severity, start, end, entry)
        for start, end, (kind, payload) in self._automaton.finditer(joined):
            if kind == "word":
                hits.append((rules.WORDLIST, _WORD_SEVERITY[payload.severity], start, end, payload))
                continue
            verdict = payload(joined, start, end)
            if verdict is not None:
                rule, severity, hit_start, hit_end = verdict
                hits.append((rule, severity, hit_start, hit_end, None))
        for rule, start, end in rules.personal_data(joined):
            hits.append((rule, rules.REVIEW, start, end, None))

        if mapping is not None:
            back = rules.original_position
            hits = [
                (rule, severity, back(start, mapping), back(end - 1, mapping) + 1, entry)
                for rule, severity, start, end, entry in hits
            ]
        findings = []
        for rule, severity, start, end, entry in _without_contained(hits):
            index = bisect.bisect_right(offsets, start) - 1
            text, base = texts[index], offsets[index]
            local_start, local_end = start - base, min(end - base, len(text))
            context_start = max(0, local_start - CONTEXT_CHARS)
            findings.append(
                Finding(
                    rule=rule,
                    severity=severity,
                    text=text[local_start:local_end],
                    field=names[index],
                    start=local_start,
                    end=local_end,
                    context=text[context_start : local_end + CONTEXT_CHARS],
                    context_start=context_start,
                    replacement=entry.replacement if entry else "",
                    note=entry.note if entry else "",
                    word_list=entry.list_name if entry else "",
                )
            )
        findings.sort(
            key=lambda finding: (-_SEVERITY_RANK[finding.severity], names.index(finding.field), finding.start)
        )
        return ScanResult(findings)


def _without_contained(hits):
    """Drop a hit lying inside another hit of the same rule that is at least as severe.

    密级：秘密★1年 is one mark, not two; a list holding both 某某 and 某某某 reports the longer word.
    """
    hits = sorted(set(hits), key=lambda hit: (hit[2], -(hit[3] - hit[2]), -_SEVERITY_RANK[hit[1]]))
    kept = []
    open_by_rule = {}  # rule → kept hits that may still contain later ones (sorted by start)
    for hit in hits:
        rule, severity, start, end, _entry = hit
        candidates = [other for other in open_by_rule.get(rule, ()) if other[3] > start]
        covered = any(
            other[2] <= start and end <= other[3] and _SEVERITY_RANK[other[1]] >= _SEVERITY_RANK[severity]
            for other in candidates
        )
        if not covered:
            kept.append(hit)
            candidates.append(hit)
        open_by_rule[rule] = candidates
    return kept


_default_scanner = None


def scan(fields, entries=None):
    """Scan with the given word-list entries, or with the built-in rules only when None."""
    global _default_scanner
    if entries is not None:
        return Scanner(entries).scan(fields)
    if _default_scanner is None:
        _default_scanner = Scanner()
    return _default_scanner.scan(fields)
