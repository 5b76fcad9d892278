"""The audit archive: hash-chained entries, an HMAC over the file; ``verify_audit_archive`` says OK
for an untouched archive and names the first broken entry of an edited, dropped or reordered one."""

import datetime
import json

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from sites.audit_archive import archive, verify
from sites.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def archived(cluster, tmp_path):
    for days, target in ((300, "第一条"), (250, "第二条"), (220, "第三条"), (200, "第四条")):
        with time_machine.travel(timezone.now() - datetime.timedelta(days=days)):
            AuditEvent.objects.create(
                action="site_record_changed",
                tenant_code="jtj",
                target=target,
                ip_address="10.0.0.8",
                user_agent="UA",
                detail={"n": target},
            )
    out = tmp_path / "audit.jsonl"
    result = archive(out)
    assert result.count >= 4
    return out


def lines(path):
    return path.read_text(encoding="utf-8").splitlines()


def rewrite(path, new_lines):
    path.write_text("\n".join(new_lines) + "\n", encoding="utf-8")


def line_of(path, target):
    return next(i for i, line in enumerate(lines(path)) if f'"target":"{target}"' in line)


def test_an_untouched_archive_verifies(archived, capsys):
    call_command("verify_audit_archive", str(archived))
    assert capsys.readouterr().out.startswith("OK")
    entries = [json.loads(line)["entry"] for line in lines(archived)[1:-1]]
    second = next(entry for entry in entries if entry["target"] == "第二条")
    assert (second["ip_address"], second["user_agent"], second["outcome"], second["detail"]) == (
        "10.0.0.8",
        "UA",
        "success",
        {"n": "第二条"},
    )


def test_an_edited_entry_fails_at_that_entry(archived):
    content = lines(archived)
    index = line_of(archived, "第二条")
    content[index] = content[index].replace("第二条", "改过的")
    rewrite(archived, content)
    report = verify(archived)
    assert not report.ok and report.broken_line == index + 1 and "内容被改动" in report.message
    with pytest.raises(CommandError, match=f"第 {index + 1} 行"):
        call_command("verify_audit_archive", str(archived))


def test_an_edited_entry_with_its_hash_recomputed_still_fails(archived):
    """Rebuilding the chain after an edit needs the key: the signature catches it."""
    import hashlib

    from sites.audit_archive import _canonical

    content = lines(archived)
    previous = hashlib.sha256(content[0].encode()).hexdigest()
    rebuilt = [content[0]]
    for line in content[1:-1]:
        item = json.loads(line)
        item["entry"]["target"] = item["entry"]["target"].replace("第三条", "伪造")
        item["prev"] = previous
        item["hash"] = hashlib.sha256((previous + _canonical(item["entry"])).encode()).hexdigest()
        previous = item["hash"]
        rebuilt.append(_canonical(item))
    trailer = json.loads(content[-1])
    trailer["last_hash"] = previous
    rebuilt.append(_canonical(trailer))
    rewrite(archived, rebuilt)
    report = verify(archived)
    assert not report.ok and "签名不符" in report.message


def test_a_dropped_entry_fails_at_the_next_one(archived):
    content = lines(archived)
    index = line_of(archived, "第二条")
    del content[index]
    rewrite(archived, content)
    report = verify(archived)
    assert not report.ok and report.broken_line == index + 1 and "不衔接" in report.message


def test_a_dropped_last_entry_fails(archived):
    content = lines(archived)
    del content[-2]
    rewrite(archived, content)
    assert not verify(archived).ok


def test_reordered_entries_fail(archived):
    content = lines(archived)
    first, second = line_of(archived, "第一条"), line_of(archived, "第二条")
    content[first], content[second] = content[second], content[first]
    rewrite(archived, content)
    report = verify(archived)
    assert not report.ok and report.broken_line == min(first, second) + 1


def test_another_deployments_key_fails(archived):
    assert verify(archived).ok
    assert not verify(archived, key="another-deployment").ok


def test_a_cut_file_fails(archived):
    rewrite(archived, lines(archived)[:-1])
    assert not verify(archived).ok
    archived.write_text("", encoding="utf-8")
    assert not verify(archived).ok
