"""Word lists as the rest of the system uses them: the scanner of the active lists, CSV in and out,
every change written to the audit log.

The web office edits lists in the admin (wagtail_hooks.py) or imports them from CSV; both end up
here so that every change is audited the same way.
"""

import csv
import io
import threading

from django.db import transaction

from sites import audit, spreadsheet

from .engine import Scanner, WordRule
from .extract import decode_text
from .models import Severity, WordEntry, WordList

# CSV columns. Headings may be the English keys or the Chinese labels (the admin's own export
# writes the latter), so a file exported from either place imports again.
CSV_FIELDS = ["word", "severity", "replacement", "note"]
CSV_HEADINGS = {
    "word": "word",
    "词语": "word",
    "severity": "severity",
    "处理级别": "severity",
    "replacement": "replacement",
    "建议替换为": "replacement",
    "note": "note",
    "备注": "note",
}
# Audit details list the words an import touched, up to this many per kind.
AUDIT_WORDS_LIMIT = 500


class WordListError(Exception):
    """A word-list operation that cannot be done; the message is for people."""


# --- The scanner of the active lists -----------------------------------------------------------

_lock = threading.Lock()
_cached = {"key": None, "scanner": None}


def _version_key():
    return tuple(WordList.objects.filter(active=True).order_by("pk").values_list("pk", "version"))


def current_scanner():
    """The engine with every active list, rebuilt only when a list or its entries changed.

    One small query per call: the (id, version) pairs of the active lists. Versions are bumped by
    every entry save/delete (signal_handlers.py) and by imports, so each process notices changes
    made by any other one.
    """
    key = _version_key()
    with _lock:
        if _cached["key"] == key and _cached["scanner"] is not None:
            return _cached["scanner"]
    entries = [
        WordRule(word, severity, replacement, note, list_name)
        for word, severity, replacement, note, list_name in WordEntry.objects.filter(
            word_list__active=True
        ).values_list("word", "severity", "replacement", "note", "word_list__name")
    ]
    scanner = Scanner(entries)
    with _lock:
        _cached["key"], _cached["scanner"] = key, scanner
    return scanner


def scan_fields(fields):
    """Scan ``fields`` (field name → text) with the built-in rules and every active word list."""
    return current_scanner().scan(fields)


# --- Auditing admin edits --------------------------------------------------------------------------


def entry_state(entry):
    return {"word": entry.word, "severity": entry.severity, "replacement": entry.replacement, "note": entry.note}


def record_list_change(action, word_list, *, actor=None, request=None, **detail):
    audit.record(action, actor=actor, request=request, target=f"词库:{word_list.name}", **detail)


def record_entry_change(action, entry, *, actor=None, request=None, before=None):
    detail = {"word_list": entry.word_list.name, "entry": entry_state(entry)}
    if before is not None:
        detail["before"] = before
    audit.record(action, actor=actor, request=request, target=f"词库:{entry.word_list.name}:{entry.word}", **detail)


# --- CSV ------------------------------------------------------------------------------------------


def read_csv(data):
    """Rows of a word-list CSV (bytes or str): [{word, severity, replacement, note}], validated.

    Files saved by Excel on Chinese Windows are GB 18030 (GBK); others UTF-8, often with a BOM.
    """
    if isinstance(data, bytes):
        data = decode_text(data)
    reader = csv.reader(io.StringIO(data))
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise WordListError("CSV 文件为空。")
    header = [CSV_HEADINGS.get(cell.strip().lstrip("\ufeff")) for cell in rows[0]]
    if "word" not in header:
        raise WordListError("CSV 第一行须为表头，至少包含 word（词语）列。")
    entries, errors, seen = [], [], set()
    for line_number, row in enumerate(rows[1:], start=2):
        values = {
            key: (spreadsheet.original_cell(row[index].strip()) if index < len(row) else "")
            for index, key in enumerate(header)
            if key
        }
        word = values.get("word", "")
        if not word:
            errors.append(f"第 {line_number} 行：词语为空。")
            continue
        try:
            severity = Severity.parse(values.get("severity") or Severity.FLAG)
        except ValueError:
            errors.append(f"第 {line_number} 行：未知的处理级别“{values.get('severity')}”。")
            continue
        entry = WordEntry(
            word=word, severity=severity, replacement=values.get("replacement", ""), note=values.get("note", "")
        )
        try:
            entry.clean()
        except Exception as exc:  # ValidationError: report every bad line at once
            messages = getattr(exc, "messages", [str(exc)])
            errors.append(f"第 {line_number} 行：{'；'.join(messages)}")
            continue
        if len(entry.word) > 100 or len(entry.replacement) > 100 or len(entry.note) > 200:
            errors.append(f"第 {line_number} 行：内容过长。")
            continue
        if entry.word in seen:
            errors.append(f"第 {line_number} 行：词语“{entry.word}”重复。")
            continue
        seen.add(entry.word)
        entries.append(entry_state(entry))
    if errors:
        raise WordListError("\n".join(errors))
    return entries


def import_csv(name, data, *, replace=False, actor=None, request=None, description=""):
    """Create or update the list ``name`` from CSV ``data``; with ``replace``, drop words not in it.

    All or nothing: a file with any bad line changes nothing. Returns (word_list, counts).
    """
    rows = read_csv(data)
    with transaction.atomic():
        word_list, created_list = WordList.objects.get_or_create(name=name, defaults={"description": description})
        existing = {entry.word: entry for entry in word_list.entries.all()}
        to_create, to_update, changed = [], [], []
        for row in rows:
            entry = existing.get(row["word"])
            if entry is None:
                to_create.append(WordEntry(word_list=word_list, **row))
            elif entry_state(entry) != row:
                for key, value in row.items():
                    setattr(entry, key, value)
                to_update.append(entry)
                changed.append(row["word"])
        # Bulk writes skip the per-entry signals: bump the version once, below.
        WordEntry.objects.bulk_create(to_create, batch_size=1000)
        WordEntry.objects.bulk_update(to_update, ["severity", "replacement", "note"], batch_size=1000)
        removed = []
        if replace:
            incoming = {row["word"] for row in rows}
            removed = sorted(set(existing) - incoming)
            WordEntry.objects.filter(word_list=word_list, word__in=removed).delete()
        word_list.bump_version()
        counts = {"created": len(to_create), "updated": len(to_update), "removed": len(removed)}
        record_list_change(
            "wordlist_imported",
            word_list,
            actor=actor,
            request=request,
            list_created=created_list,
            replace=replace,
            **counts,
            created_words=[entry.word for entry in to_create][:AUDIT_WORDS_LIMIT],
            updated_words=changed[:AUDIT_WORDS_LIMIT],
            removed_words=removed[:AUDIT_WORDS_LIMIT],
        )
    word_list.refresh_from_db()
    return word_list, counts


def export_csv(word_list, *, actor=None, request=None):
    """The list as CSV text (English headings, severity values), audited: the lists are sensitive."""
    out = io.StringIO()
    writer = spreadsheet.writer(out, lineterminator="\n")  # a word such as "-秘密-" stays text in Excel
    writer.writerow(CSV_FIELDS)
    for entry in word_list.entries.order_by("word"):
        writer.writerow([entry.word, entry.severity, entry.replacement, entry.note])
    record_list_change("wordlist_exported", word_list, actor=actor, request=request, entries=word_list.entries.count())
    return out.getvalue()
