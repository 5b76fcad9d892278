"""The audit log viewer: search and filter by person, site, action and dates, paginated, with a CSV
of exactly the filtered rows. The web office reads every site's events; a site admin their own
site's only, without client addresses or the names typed into failed logins."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone

from sites import audit
from sites.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "/admin/cluster/audit/"


def client_for(cluster, host_code, user=None):
    client = Client(HTTP_HOST=cluster.host(host_code))
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def events(cluster):
    office = cluster.user(None, "audit_admin")
    jtj_admin = cluster.user("jtj", "site_admin")
    made = {
        "jtj_change": audit.record("site_record_changed", actor=office, tenant_code="jtj", target="测试市交通运输局"),
        "jyj_change": audit.record("site_record_changed", actor=office, tenant_code="jyj", target="测试市教育局"),
        "jtj_role": audit.record("role_granted", actor=jtj_admin, tenant_code="jtj", target="zhang_san", role="editor"),
        "jtj_failed": audit.record("login_failed", tenant_code="jtj", target="Secret-typed-as-name", username="x"),
        "formula": audit.record("domain_added", actor=office, tenant_code="jtj", target='=HYPERLINK("http://x")'),
    }
    return made


def rows_of(answer):
    return answer.context["rows"]


def test_the_web_office_filters_by_site_action_and_person(cluster, events):
    office = client_for(cluster, "portal", cluster.user(None, "audit_admin"))
    everything = office.get(URL)
    assert everything.status_code == 200
    targets = {row["target"] for row in rows_of(everything)}
    assert {"测试市交通运输局", "测试市教育局", "Secret-typed-as-name"} <= targets

    by_site = rows_of(office.get(URL, {"site": "jyj"}))
    assert by_site and all(row["site"] == "jyj" for row in by_site)
    by_action = rows_of(office.get(URL, {"action": "role_granted", "site": "jtj"}))
    assert "zhang_san" in {row["target"] for row in by_action}
    assert {row["action"] for row in by_action} == {"授予角色"}  # the action's Chinese name
    by_person = rows_of(office.get(URL, {"person": "jtj_adm", "site": "jtj"}))
    # Other tests of the session may have left events of the same person: only theirs, and ours among them.
    assert "zhang_san" in [row["target"] for row in by_person]
    assert all("jtj_adm" in row["actor"] for row in by_person)
    by_text = rows_of(office.get(URL, {"q": "教育", "action": "site_record_changed"}))
    assert [row["target"] for row in by_text] == ["测试市教育局"]


def test_dates_filter_whole_days_in_shanghai_time(cluster, events):
    office = client_for(cluster, "portal", cluster.user(None, "audit_admin"))
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    # The fixture's one jyj event of its action: other tests commit events of their own (a served
    # instance's role grants), which may fall on yesterday in Shanghai time.
    mine = {"site": "jyj", "action": "site_record_changed"}
    assert rows_of(office.get(URL, {"date_from": today.isoformat(), "date_to": today.isoformat(), **mine}))
    assert not rows_of(office.get(URL, {"date_from": tomorrow.isoformat(), **mine}))
    assert not rows_of(office.get(URL, {"date_to": (today - datetime.timedelta(days=1)).isoformat(), **mine}))
    backwards = office.get(URL, {"date_from": tomorrow.isoformat(), "date_to": today.isoformat()})
    assert backwards.status_code == 400 and "开始日期不能晚于结束日期。" in backwards.content.decode()
    garbage = office.get(URL, {"date_from": "2026-13-45"})
    assert garbage.status_code == 400 and "请输入有效的日期" in garbage.content.decode()


def test_the_list_is_paginated(cluster):
    office_user = cluster.user(None, "audit_admin")
    for number in range(55):
        audit.record("domain_added", actor=office_user, tenant_code="jyj", target=f"alias{number}.localhost")
    office = client_for(cluster, "portal", office_user)
    first = office.get(URL, {"site": "jyj", "action": "domain_added"})
    assert len(rows_of(first)) == 50 and first.context["page"].paginator.count == 55
    body = first.content.decode()
    assert "下一页" in body and "site=jyj" in body
    second = office.get(URL, {"site": "jyj", "action": "domain_added", "p": 2})
    assert len(rows_of(second)) == 5
    assert {row["target"] for row in rows_of(second)}.isdisjoint({row["target"] for row in rows_of(first)})


def test_the_csv_holds_exactly_the_filtered_rows(cluster, events):
    office = client_for(cluster, "portal", cluster.user(None, "audit_admin"))
    answer = office.get(URL, {"site": "jtj", "action": "domain_added", "format": "csv"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    assert answer["Content-Disposition"].startswith('attachment; filename="audit-log-cluster-')
    text = answer.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:3] == ["时间", "站点", "操作"]
    assert len(rows) == 2
    assert rows[1][1:4] == ["jtj", "添加域名", "domain_added"]
    assert rows[1][5] == '\'=HYPERLINK("http://x")'  # never a formula in the reader's spreadsheet
    exported = AuditEvent.objects.filter(action="audit_exported").latest("id")
    assert exported.actor == cluster.user(None, "audit_admin") and exported.detail["rows"] == 1


def test_a_site_admin_reads_their_own_sites_events_only(cluster, events):
    admin = client_for(cluster, "jtj", cluster.user("jtj", "site_admin"))
    answer = admin.get(URL)
    assert answer.status_code == 200
    rows = rows_of(answer)
    assert rows and {row["site"] for row in rows} == {"jtj"}
    assert "测试市教育局" not in answer.content.decode()
    # Asking for another site's events gives nothing (the site filter offers only their own).
    other = admin.get(URL, {"site": "jyj"})
    assert other.status_code == 400 or not rows_of(other)
    # No client addresses, no names typed into a failed login (a password, sometimes).
    failed = next(row for row in rows if row["code"] == "login_failed")
    assert failed["target"] == "（仅审计管理员可见）" and failed["ip"] == "（仅审计管理员可见）"
    assert "Secret-typed-as-name" not in answer.content.decode()
    exported = admin.get(URL, {"format": "csv"}).content.decode("utf-8")
    assert "测试市交通运输局" in exported and "测试市教育局" not in exported
    assert "Secret-typed-as-name" not in exported
    assert AuditEvent.objects.filter(action="audit_exported", tenant_code="jtj").exists()


@pytest.mark.parametrize(("host", "who"), [("jtj", ("jtj", "editor")), ("jyj", ("jyj", "reviewer"))])
def test_other_roles_read_nothing(cluster, events, host, who):
    client = client_for(cluster, host, cluster.user(*who))
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"format": "csv"}).status_code == 403


def test_a_site_admin_on_another_sites_host_is_sent_to_sign_in(cluster, events):
    answer = client_for(cluster, "jyj", cluster.user("jtj", "site_admin")).get(URL)
    assert answer.status_code == 302
    # Positive control: jyj's own admin reads jyj's events there.
    own = client_for(cluster, "jyj", cluster.user("jyj", "site_admin")).get(URL)
    assert own.status_code == 200 and {row["site"] for row in rows_of(own)} == {"jyj"}
