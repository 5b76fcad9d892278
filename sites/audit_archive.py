"""Retention of the audit log: older events move into a signed, hash-chained archive file.

网络安全法 art. 21 keeps logs at least six months; the database refuses to delete a younger event
(migration 0007's trigger), and an older one only inside ``archive`` (the transaction sets
``cms.audit_archive``). Nothing else in the product removes an event.

The archive is UTF-8 JSON lines:

1. a header: ``{"format": "cms-audit-archive", "version": 1, "before": …, "created_at": …}``;
2. one line per event, oldest first: ``{"entry": {…}, "prev": H(n-1), "hash": H(n)}`` where
   ``H(n) = SHA-256(H(n-1) + canonical JSON of the entry)`` and ``H(0)`` is the SHA-256 of the
   header line: an edited, dropped, added or moved entry breaks the chain at that entry;
3. a trailer: ``{"count": N, "last_hash": H(N), "signature": HMAC-SHA256(key, every byte above)}``
   under the backup signing key (sites/backup.py): a rebuilt chain, a cut file or another
   deployment's archive fails the signature.

``archive`` writes the file, reads it back and verifies it, and only then deletes the archived
events, in the same transaction that selected them (rolled back if anything fails).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from tqdm import tqdm

from . import audit
from .backup import signing_key
from .models import AuditEvent, audit_retention_days

FORMAT = "cms-audit-archive"
VERSION = 1
SIGNATURE_SALT = "sites.audit_archive"
FIELDS = (
    "id",
    "created_at",
    "action",
    "outcome",
    "actor_id",
    "actor_username",
    "tenant_code",
    "target",
    "ip_address",
    "user_agent",
    "detail",
)


class ArchiveError(Exception):
    pass


def _canonical(value):
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _chain(previous, entry):
    return hashlib.sha256((previous + _canonical(entry)).encode("utf-8")).hexdigest()


def _sign(body: bytes, key=None):
    return salted_hmac(SIGNATURE_SALT, body, secret=key or signing_key(), algorithm="sha256").hexdigest()


def _entry(event):
    entry = {name: getattr(event, name) for name in FIELDS}
    entry["created_at"] = event.created_at.isoformat()
    return entry


def latest_removable(now=None):
    """The newest moment an event may have to be archived (now less the retention period)."""
    return (now or timezone.now()) - datetime.timedelta(days=audit_retention_days())


def cutoff_for(before: datetime.date | None, now=None):
    """The aware moment before which events are archived: ``before`` (a day, Asia/Shanghai) or the
    retention limit, whichever is earlier; a ``before`` inside the retention period is refused."""
    limit = latest_removable(now)
    if before is None:
        return limit
    moment = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    if moment > limit:
        raise ArchiveError(
            f"审计日志须保存至少 {audit_retention_days()} 天：只能归档 "
            f"{timezone.localtime(limit):%Y-%m-%d %H:%M} 以前的记录。"
        )
    return moment


@dataclass
class Result:
    count: int
    path: Path
    cutoff: datetime.datetime


def archive(out: Path, *, before: datetime.date | None = None, key=None, progress=False) -> Result:
    """Export every event older than the cut-off to ``out``, verify the file, then delete them."""
    out = Path(out)
    if out.exists():
        raise ArchiveError(f"文件 {out} 已存在，请换一个文件名。")
    cutoff = cutoff_for(before)
    temporary = out.with_name(out.name + ".part")
    with transaction.atomic():
        events = AuditEvent.objects.filter(created_at__lt=cutoff).select_for_update().order_by("created_at", "id")
        ids = list(events.values_list("id", flat=True))
        header = {
            "format": FORMAT,
            "version": VERSION,
            "before": cutoff.isoformat(),
            "created_at": timezone.now().isoformat(),
        }
        header_line = _canonical(header)
        previous = hashlib.sha256(header_line.encode("utf-8")).hexdigest()
        body = [header_line + "\n"]
        rows = events.iterator(chunk_size=2000)
        for event in tqdm(rows, total=len(ids), desc="归档审计日志", unit="条", disable=not progress):
            entry = _entry(event)
            current = _chain(previous, entry)
            body.append(_canonical({"entry": entry, "prev": previous, "hash": current}) + "\n")
            previous = current
        data = "".join(body).encode("utf-8")
        trailer = {"count": len(ids), "last_hash": previous, "signature": _sign(data, key)}
        with temporary.open("wb") as target:
            target.write(data)
            target.write((_canonical(trailer) + "\n").encode("utf-8"))
            target.flush()
            os.fsync(target.fileno())
        report = verify(temporary, key=key)
        if not report.ok or report.count != len(ids) or set(report.ids) != set(ids):
            temporary.unlink(missing_ok=True)
            raise ArchiveError(f"归档文件写入后校验失败：{report.message}")
        os.replace(temporary, out)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL cms.audit_archive = 'on'")
            cursor.execute("DELETE FROM sites_auditevent WHERE id = ANY(%s) AND created_at < %s", [ids, cutoff])
            deleted = cursor.rowcount
            cursor.execute("SET LOCAL cms.audit_archive = 'off'")
        if deleted != len(ids):
            raise ArchiveError(f"应删除 {len(ids)} 条，实际 {deleted} 条：已回滚，归档文件 {out} 保留备查。")
        audit.record(
            "audit_archived",
            target=out.name,
            rows=len(ids),
            before=timezone.localtime(cutoff).strftime("%Y-%m-%d %H:%M"),
            last_hash=previous,
        )
    return Result(count=len(ids), path=out, cutoff=cutoff)


@dataclass
class Report:
    ok: bool
    message: str
    count: int = 0
    ids: tuple = ()
    broken_line: int | None = None


def verify(path: Path, *, key=None) -> Report:
    """Check an archive's chain and signature; the report names the first broken entry."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        return Report(False, f"无法读取文件：{error}")
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if len(lines) < 2:
        return Report(False, "文件不完整：缺少文件头或签名。")
    try:
        header = json.loads(lines[0])
        trailer = json.loads(lines[-1])
    except (UnicodeDecodeError, json.JSONDecodeError):
        return Report(False, "文件头或签名行不是有效的 JSON。")
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("version") != VERSION:
        return Report(False, "不是审计日志归档文件（格式或版本不符）。")
    if _canonical(header).encode("utf-8") != lines[0]:
        return Report(False, "文件头被改动。", broken_line=1)
    previous = hashlib.sha256(lines[0]).hexdigest()
    ids = []
    for number, line in enumerate(lines[1:-1], start=2):
        try:
            item = json.loads(line)
            entry, prev, current = item["entry"], item["prev"], item["hash"]
            entry_id = entry["id"]
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
            return Report(False, f"第 {number} 行不是有效的记录。", broken_line=number)
        if prev != previous:
            return Report(
                False,
                f"第 {number} 行（记录 {entry_id}）与上一条记录不衔接：有记录被删除、插入或调换。",
                broken_line=number,
            )
        if _chain(previous, entry) != current:
            return Report(False, f"第 {number} 行（记录 {entry_id}）内容被改动。", broken_line=number)
        ids.append(entry_id)
        previous = current
    if not isinstance(trailer, dict) or trailer.get("count") != len(ids) or trailer.get("last_hash") != previous:
        return Report(False, "记录条数或末条哈希与签名行不符：文件末尾有记录被删除或添加。", broken_line=len(lines))
    body = b"\n".join(lines[:-1]) + b"\n"
    signature = trailer.get("signature")
    if not isinstance(signature, str) or not hmac.compare_digest(signature, _sign(body, key)):
        return Report(False, "签名不符：文件不是本系统生成的，或被整体改写。", broken_line=len(lines))
    return Report(True, f"校验通过：{len(ids)} 条记录，哈希链完整，签名有效。", count=len(ids), ids=tuple(ids))
