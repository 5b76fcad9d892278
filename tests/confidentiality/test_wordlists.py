"""Word lists: the cached scanner follows every change, CSV in and out, the web office alone edits
them in the admin, and every change is in the audit log."""

import io
import json
import sys

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from publishing.confidentiality import wordlists
from publishing.confidentiality.models import Severity, WordEntry, WordList
from sites.models import AuditEvent, Role
from tests.refusals import is_refused

pytestmark = pytest.mark.django_db

HOST = {"HTTP_HOST": "jtj.localhost"}


def make_list(name="领导姓名", **fields):
    return WordList.objects.create(name=name, **fields)


def test_scanner_follows_every_change_and_is_reused_otherwise():
    from wagtail.models import ReferenceIndex

    # Load the admin URLs, which registers the viewsets: from then on Wagtail would track these
    # models in its per-site reference index, a table the public schema does not have.
    reverse("word_entries:index")
    assert not ReferenceIndex.is_indexed(WordEntry) and not ReferenceIndex.is_indexed(WordList)
    word_list = make_list()
    versions = [WordList.objects.get(pk=word_list.pk).version]

    def version_went_up():
        versions.append(WordList.objects.get(pk=word_list.pk).version)
        return versions[-1] > versions[-2]

    entry = WordEntry.objects.create(word_list=word_list, word="张明园", severity="suggest", replacement="张明远")
    assert version_went_up()
    first = wordlists.current_scanner()
    assert wordlists.current_scanner() is first  # nothing changed: no rebuild
    assert [f.replacement for f in wordlists.scan_fields({"body": "副市长张明园"}).findings] == ["张明远"]

    entry.severity = Severity.BLOCK
    entry.save()
    assert version_went_up()
    second = wordlists.current_scanner()
    assert second is not first
    assert wordlists.scan_fields({"body": "副市长张明园"}).verdict == "block"

    word_list.active = False
    word_list.save()  # the instance still holds version 0: saving it must not roll the row back
    assert version_went_up()
    assert wordlists.scan_fields({"body": "副市长张明园"}).findings == []

    word_list.active = True
    word_list.save()
    assert version_went_up()
    entry.delete()
    assert version_went_up()
    assert wordlists.scan_fields({"body": "副市长张明园"}).findings == []


def test_import_is_all_or_nothing_and_audited():
    data = "词语,处理级别,建议替换为,备注\n张明园,建议替换,张明远,市长姓名\n未经核实,flag,,\n".encode("gb18030")
    word_list, counts = wordlists.import_csv("领导姓名", data)
    assert counts == {"created": 2, "updated": 0, "removed": 0}
    assert sorted(word_list.entries.values_list("word", "severity")) == [("张明园", "suggest"), ("未经核实", "flag")]
    event = AuditEvent.objects.filter(action="wordlist_imported").latest("id")
    assert event.target == "词库:领导姓名"
    assert event.detail["created"] == 2 and sorted(event.detail["created_words"]) == ["张明园", "未经核实"]

    bad = "word,severity,replacement\n新词,block,\n张明园,suggest,\n,flag,\n新词,flag,\n另一个,urgent,\n"
    with pytest.raises(wordlists.WordListError) as error:
        wordlists.import_csv("领导姓名", bad)
    message = str(error.value)
    for line in ("第 3 行", "第 4 行", "第 5 行", "第 6 行"):
        assert line in message
    assert "第 2 行" not in message
    assert word_list.entries.count() == 2  # nothing of the bad file was applied

    csv_text = "\ufeffword,severity,replacement,note\n张明园,block,张明远,改为禁止\n新词,flag,,\n"
    _, counts = wordlists.import_csv("领导姓名", csv_text, replace=True)
    assert counts == {"created": 1, "updated": 1, "removed": 1}
    assert sorted(word_list.entries.values_list("word", "severity")) == [("张明园", "block"), ("新词", "flag")]
    assert AuditEvent.objects.filter(action="wordlist_imported").latest("id").detail["removed_words"] == ["未经核实"]


def test_export_round_trips_and_is_audited():
    wordlists.import_csv(
        "严重表述错误", 'word,severity,replacement,note\n中华人民共合国,block,中华人民共和国,"错字,严重"\n'
    )
    text = wordlists.export_csv(WordList.objects.get(name="严重表述错误"))
    assert text == 'word,severity,replacement,note\n中华人民共合国,block,中华人民共和国,"错字,严重"\n'
    assert AuditEvent.objects.filter(action="wordlist_exported", target="词库:严重表述错误").exists()
    _, counts = wordlists.import_csv("副本", text)
    assert counts["created"] == 1
    assert WordEntry.objects.get(word_list__name="副本").note == "错字,严重"


def test_export_writes_formula_like_cells_as_text_and_reads_them_back():
    wordlists.import_csv("公式词库", 'word,severity,replacement,note\n=HYPERLINK(1),flag,,"@备注"\n')
    text = wordlists.export_csv(WordList.objects.get(name="公式词库"))
    assert "\n'=HYPERLINK(1),flag,,'@备注\n" in text  # a spreadsheet shows it, never runs it
    wordlists.import_csv("公式词库副本", text)
    entry = WordEntry.objects.get(word_list__name="公式词库副本")
    assert (entry.word, entry.note) == ("=HYPERLINK(1)", "@备注")


def test_import_and_export_commands(tmp_path):
    source = tmp_path / "words.csv"
    source.write_text("word,severity,replacement,note\n人民政付,suggest,人民政府,\n", encoding="utf-8-sig")
    out = io.StringIO()
    call_command("import_wordlist", "常见错别字", str(source), stdout=out)
    assert "新增 1 条" in out.getvalue()

    out = io.StringIO()
    call_command("export_wordlist", "常见错别字", stdout=out)
    assert out.getvalue() == "word,severity,replacement,note\n人民政付,suggest,人民政府,\n"

    target = tmp_path / "out.csv"
    call_command("export_wordlist", "常见错别字", "-o", str(target), stdout=io.StringIO(), stderr=io.StringIO())
    assert target.read_bytes().startswith(b"\xef\xbb\xbfword,severity")

    source.write_text("word,severity\n坏词,suggest\n", encoding="utf-8")
    with pytest.raises(CommandError, match="词库未作任何修改"):
        call_command("import_wordlist", "常见错别字", str(source), stdout=io.StringIO())
    with pytest.raises(CommandError, match="没有名为"):
        call_command("export_wordlist", "不存在", stdout=io.StringIO())


def test_suggest_needs_a_replacement():
    from django.core.exceptions import ValidationError

    entry = WordEntry(word_list=make_list(), word="张明园", severity="suggest")
    with pytest.raises(ValidationError):
        entry.full_clean()


# --- Admin ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", Role.site_roles(), ids=lambda role: role.value)
def test_site_roles_cannot_see_or_change_word_lists(cluster, client, role):
    word_list = make_list()
    entry = WordEntry.objects.create(word_list=word_list, word="张明园", severity="flag")
    user = cluster.user("jtj", role)
    for model in ("wordlist", "wordentry"):
        for action in ("add", "change", "delete", "view"):
            assert not user.has_perm(f"publishing.{action}_{model}")
    assert not Permission.objects.filter(content_type__app_label="publishing", group__user=user).exists()

    client.force_login(user)
    attempts = [
        client.get(reverse("word_lists:index"), **HOST),
        client.get(reverse("word_entries:index"), **HOST),
        client.get(reverse("word_entries:index") + "?export=csv", **HOST),
        client.post(reverse("word_lists:add"), {"name": "外来词库", "active": "on"}, **HOST),
        client.post(reverse("word_entries:edit", args=[entry.pk]), {"word": "改", "severity": "flag"}, **HOST),
        client.post(reverse("word_entries:delete", args=[entry.pk]), **HOST),
        client.post(reverse("word_lists:delete", args=[word_list.pk]), **HOST),
    ]
    assert [response.status_code for response in attempts if not is_refused(response, HOST["HTTP_HOST"])] == []
    for response in attempts:
        assert "张明园" not in response.content.decode(errors="replace")
    assert WordEntry.objects.filter(pk=entry.pk, word="张明园").exists()
    assert not WordList.objects.filter(name="外来词库").exists()


def test_web_office_edits_in_the_admin_and_every_change_is_audited(cluster, client):
    # 三员分立: the word lists are the security administrator's (the system administrator is refused: test_triad).
    web_office = cluster.user(None, Role.SECURITY_ADMIN)
    client.force_login(web_office)
    assert client.get(reverse("word_lists:index"), **HOST).status_code == 200

    response = client.post(reverse("word_lists:add"), {"name": "领导姓名", "description": "", "active": "on"}, **HOST)
    assert response.status_code == 302
    word_list = WordList.objects.get(name="领导姓名")

    data = {"word_list": word_list.pk, "word": "张明园", "severity": "suggest", "replacement": "", "note": ""}
    refused = client.post(reverse("word_entries:add"), data, **HOST)
    assert refused.status_code == 200 and not WordEntry.objects.exists()  # a suggestion needs its replacement
    data["replacement"] = "张明远"
    assert client.post(reverse("word_entries:add"), data, **HOST).status_code == 302
    entry = WordEntry.objects.get(word="张明园")
    assert wordlists.scan_fields({"body": "张明园"}).findings[0].replacement == "张明远"

    data["severity"] = "block"
    assert client.post(reverse("word_entries:edit", args=[entry.pk]), data, **HOST).status_code == 302
    assert wordlists.scan_fields({"body": "张明园"}).verdict == "block"

    export = client.get(reverse("word_entries:index") + f"?word_list={word_list.pk}&export=csv", **HOST)
    exported = b"".join(export.streaming_content).decode("utf-8-sig")
    assert exported.splitlines() == ["词语,处理级别,建议替换为,备注", "张明园,block,张明远,"]
    assert wordlists.read_csv(exported) == [
        {"word": "张明园", "severity": "block", "replacement": "张明远", "note": ""}
    ]

    assert client.post(reverse("word_entries:delete", args=[entry.pk]), **HOST).status_code == 302
    response = client.post(
        reverse("word_lists:edit", args=[word_list.pk]), {"name": "领导姓名", "description": "", "active": ""}, **HOST
    )
    assert response.status_code == 302
    assert client.post(reverse("word_lists:delete", args=[word_list.pk]), **HOST).status_code == 302
    assert not WordList.objects.exists()

    events = list(
        AuditEvent.objects.filter(action__startswith="word").order_by("id").values_list("action", "actor_username")
    )
    assert events == [
        ("wordlist_created", "secadmin"),
        ("wordentry_created", "secadmin"),
        ("wordentry_changed", "secadmin"),
        ("wordentry_deleted", "secadmin"),
        ("wordlist_changed", "secadmin"),
        ("wordlist_deleted", "secadmin"),
    ]
    changed = AuditEvent.objects.get(action="wordentry_changed")
    assert changed.detail["before"]["severity"] == "suggest" and changed.detail["entry"]["severity"] == "block"
    assert AuditEvent.objects.get(action="wordlist_changed").detail["changed"] == {"active": [True, False]}


# --- scan_text ------------------------------------------------------------------------------------


def run_scan_text(*args, stdin_text=None, monkeypatch=None):
    if stdin_text is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin_text.encode("utf-8"))))
    out = io.StringIO()
    call_command("scan_text", *args, stdout=out)
    return out.getvalue()


def test_scan_text_json_from_stdin_uses_the_active_lists(monkeypatch):
    wordlists.import_csv("领导姓名", "word,severity,replacement\n张明园,suggest,张明远\n")
    text = "秘密★1年\n副市长张明园出席。咨询电话12345。"
    data = json.loads(run_scan_text("-", "--json", stdin_text=text, monkeypatch=monkeypatch))
    assert data["verdict"] == "block"
    assert [(f["rule"], f["severity"], f["text"], f["start"]) for f in data["findings"]] == [
        ("classification_mark", "block", "秘密★1年", 0),
        ("wordlist", "suggest", "张明园", 9),
    ]
    assert data["findings"][1]["replacement"] == "张明远"


def test_scan_text_human_output_from_a_file(tmp_path):
    path = tmp_path / "稿件.txt"
    path.write_bytes("联系人手机13877120001。".encode("gb18030"))
    output = run_scan_text(str(path))
    assert output.splitlines()[0] == "检查结论：需人工审核"
    assert "手机号码“13877120001”" in output and "【13877120001】" in output

    path.write_text("认真学习保守国家秘密法。", encoding="utf-8")
    assert run_scan_text(str(path)).strip() == "检查结论：未发现问题"
    assert json.loads(run_scan_text(str(path), "--json")) == {"verdict": "pass", "findings": []}
