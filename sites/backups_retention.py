"""How long the site backups under ``var/backups`` are kept.

``backup_site`` and the console's 备份 button write ``<code>-YYYYMMDD-HHMMSS.tar.gz`` there and
nothing removed them: a site's data (and its uploads) piled up on the application server. A backup
older than ``keep_days`` is removed unless it is one of its site's ``keep_last`` newest, so a
site that has not been backed up for a while keeps its latest copies. Files of any other name are
never touched.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

NAME_RE = re.compile(r"^(?P<code>[a-z][a-z0-9_]*)-(?P<stamp>\d{8}-\d{6})\.tar\.gz\Z")


@dataclass(frozen=True)
class Backup:
    path: Path
    code: str
    taken: datetime.datetime


def backups_dir():
    return Path(settings.VAR_DIR) / "backups"


def listed(folder=None):
    """The backups in ``folder`` named as this product names them, oldest first."""
    folder = folder or backups_dir()
    found = []
    if not folder.is_dir():
        return found
    zone = timezone.get_current_timezone()
    for path in folder.iterdir():
        match = NAME_RE.match(path.name)
        if not match or not path.is_file() or path.is_symlink():
            continue
        try:
            taken = datetime.datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S").replace(tzinfo=zone)
        except ValueError:
            continue
        found.append(Backup(path, match["code"], taken))
    return sorted(found, key=lambda b: (b.taken, b.path.name))


def expired(backups, *, keep_days, keep_last, now=None):
    """The backups to remove: older than ``keep_days`` and not among their site's ``keep_last`` newest."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=keep_days)
    by_site = {}
    for backup in backups:
        by_site.setdefault(backup.code, []).append(backup)
    gone = []
    for items in by_site.values():
        newest = set(sorted(items, key=lambda b: b.taken)[-keep_last:]) if keep_last else set()
        gone += [b for b in items if b.taken < cutoff and b not in newest]
    return sorted(gone, key=lambda b: (b.taken, b.path.name))
