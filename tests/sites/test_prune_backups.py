"""prune_backups removes a site's backups past the retention, keeps each site's newest ones, and
never touches a file it did not name."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sites.models import AuditEvent

pytestmark = pytest.mark.django_db


def stamp(days_ago):
    return (timezone.localtime() - datetime.timedelta(days=days_ago)).strftime("%Y%m%d-%H%M%S")


@pytest.fixture
def backups(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    folder = tmp_path / "backups"
    folder.mkdir()
    names = {
        "jtj-old1": f"jtj-{stamp(90)}.tar.gz",
        "jtj-old2": f"jtj-{stamp(60)}.tar.gz",
        "jtj-new": f"jtj-{stamp(1)}.tar.gz",
        "jyj-only-old": f"jyj-{stamp(200)}.tar.gz",
        "foreign": "important-notes.tar.gz",
        "foreign-dated": f"Copy of jtj-{stamp(300)}.tar.gz",
    }
    for name in names.values():
        (folder / name).write_bytes(b"x")
    return folder, names


def test_old_backups_go_and_each_sites_newest_stay(backups):
    folder, names = backups
    call_command("prune_backups", "--keep-days", "30", "--keep-last", "1")
    left = {p.name for p in folder.iterdir()}
    assert names["jtj-old1"] not in left and names["jtj-old2"] not in left
    # The newest jtj, jyj's only (old) one, and files of other names remain.
    assert {names["jtj-new"], names["jyj-only-old"], names["foreign"], names["foreign-dated"]} <= left
    event = AuditEvent.objects.get(action="backups_pruned")
    assert sorted(event.detail["files"]) == sorted([names["jtj-old1"], names["jtj-old2"]])


def test_keep_last_keeps_more_and_dry_run_removes_nothing(backups):
    folder, names = backups
    call_command("prune_backups", "--keep-days", "30", "--keep-last", "2", "--dry-run")
    assert len(list(folder.iterdir())) == len(names)
    assert not AuditEvent.objects.filter(action="backups_pruned").exists()
    call_command("prune_backups", "--keep-days", "30", "--keep-last", "2")
    left = {p.name for p in folder.iterdir()}
    assert names["jtj-old1"] not in left and names["jtj-old2"] in left


def test_nonsense_limits_are_refused(backups):
    with pytest.raises(CommandError):
        call_command("prune_backups", "--keep-days", "0")
