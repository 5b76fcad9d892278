"""严重表述错误: leaders' names and titles, the web office's list and the 错别字 list; the right name raises nothing."""

import pytest
from django.db import connection
from django.utils import timezone

from cms.models import ColumnPage, LeaderPage
from supervision.checks.checks import check_site
from supervision.checks.models import WordingEntry, WordingKind
from supervision.checks.wording import Leader, leader_hits, list_entries, list_hits
from tests.cms import content

pytestmark = pytest.mark.django_db

LEADERS = [Leader("李建国", ("党组书记", "局长")), Leader("李建华", ("副局长",))]


def texts(hits):
    return sorted(hit.text for hit in hits)


def test_the_right_names_and_titles_raise_nothing():
    text = "党组书记、局长李建国主持会议，副局长李建华出席。李建国局长强调，李建国书记要求，李建华副局长部署。"
    assert leader_hits(text, LEADERS) == []


def test_a_name_one_character_off_beside_a_title_is_flagged():
    hits = leader_hits("局长李建图主持会议。", LEADERS)
    assert texts(hits) == ["李建图"] and hits[0].veto
    assert "李建国" in hits[0].message
    assert texts(leader_hits("李键国局长强调。", LEADERS)) == ["李键国"]


def test_another_person_with_another_title_is_not_a_near_miss():
    # 李建军 is one character off 李建国, but not beside 李建国's titles: someone else.
    assert leader_hits("市公安局副局长李建军出席。", [Leader("李建国", ("党组书记", "局长"))]) == []


def test_another_leader_is_not_a_near_miss():
    # 李建华 differs from 李建国 by one character, but is a leader of the site himself.
    assert leader_hits("副局长李建华出席。", LEADERS) == []


def test_a_right_name_with_a_wrong_title_is_flagged():
    hits = leader_hits("副局长李建国出席会议。", LEADERS)
    assert texts(hits) == ["李建国副局长"]
    # 副局长 is not 局长.
    assert texts(leader_hits("李建华局长出席。", LEADERS)) == ["李建华局长"]


def test_a_name_without_a_title_and_ordinary_words_are_not_flagged():
    assert leader_hits("李建图同学获奖，建国大业，局长信箱开通。", LEADERS) == []


def test_list_entries_and_typos():
    entries = [
        (WordingKind.REMOVED_OFFICIAL, "王大明", "", "2026年免职"),
        (WordingKind.WITHDRAWN_ORG, "测试市交通局", "测试市交通运输局", ""),
        (WordingKind.TYPO, "再接再励", "再接再厉", ""),
    ]
    hits = list_hits("王大明出席测试市交通局会议，再接再励。", entries)
    assert [(h.text, h.veto) for h in hits] == [("王大明", True), ("测试市交通局", True), ("再接再励", False)]
    assert list_hits("测试市交通运输局再接再厉。", entries) == []


def test_the_check_reads_the_catalogue_of_the_site(cluster):
    jtj = cluster.sites["jtj"]
    connection.set_tenant(jtj)
    content.publish(
        ColumnPage.objects.get(slug="fzrxx"),
        LeaderPage(title="李建国", position="党组书记、局长", responsibilities="主持全面工作。"),
    )
    good = content.article(title="局长李建国调研春运工作", body="<p>党组书记、局长李建国一行调研。</p>")
    bad = content.article(title="全市交通工作会议召开", body="<p>局长李建图出席并讲话，要求再接再励。</p>")
    connection.set_schema_to_public()
    findings = [f for f in check_site(jtj) if f["rule"] == "wording_error"]
    assert {f["page_id"] for f in findings} == {bad.pk}
    assert good.pk not in {f["page_id"] for f in findings}
    assert sorted(f["veto"] for f in findings) == [False, True]
    assert all(f["url"].startswith("http://jtj.localhost/") for f in findings)


def test_a_list_change_rescans_live_content(cluster, django_capture_on_commit_callbacks):
    from supervision.checks.models import DailyResult

    jtj = cluster.sites["jtj"]
    connection.set_tenant(jtj)
    content.article(title="交通工作例会", body="<p>测试市公路管理处负责同志出席。</p>")
    connection.set_schema_to_public()
    with django_capture_on_commit_callbacks(execute=True):
        WordingEntry.objects.create(
            kind=WordingKind.WITHDRAWN_ORG, text="测试市公路管理处", correction="测试市公路事务中心"
        )
    assert ("withdrawn_org", "测试市公路管理处") in [(k, t) for k, t, _r, _n in list_entries()]
    result = DailyResult.objects.get(tenant=jtj, day=timezone.localdate())
    assert any("测试市公路管理处" in f["message"] and f["veto"] for f in result.findings)
    assert "wording_error" in result.vetoes
