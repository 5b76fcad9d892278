"""What was typed into a failed login (a password, sometimes) is the web office's to read only.

A failed login's event carries the typed text twice: as its target and as its "actor"
(``audit.record(username=…)``). A site admin sees neither, and cannot find it by searching either.
"""

import pytest
from django.test import Client

from sites import audit

pytestmark = pytest.mark.django_db

URL = "/admin/cluster/audit/"
TYPED = "Hunter2-typed-as-name"


@pytest.fixture
def failed_login(cluster):
    return audit.record("login_failed", tenant_code="jtj", target=TYPED, username=TYPED)


def as_user(cluster, code, user):
    client = Client(HTTP_HOST=cluster.host(code))
    client.force_login(user)
    return client


def test_a_site_admin_never_reads_or_finds_the_typed_text(cluster, failed_login):
    admin = as_user(cluster, "jtj", cluster.user("jtj", "site_admin"))
    page = admin.get(URL)
    assert page.status_code == 200
    row = next(row for row in page.context["rows"] if row["code"] == "login_failed")
    assert row["actor"] == row["target"] == "（仅审计管理员可见）"
    assert TYPED not in page.content.decode()
    assert TYPED not in admin.get(URL, {"format": "csv"}).content.decode("utf-8")
    # Searching for it would read it back one guess at a time: no match either way.
    for field in ("person", "q"):
        for guess in (TYPED, TYPED[:6]):
            answer = admin.get(URL, {field: guess})
            assert not [row for row in answer.context["rows"] if row["code"] == "login_failed"], (field, guess)


def test_the_web_office_reads_and_finds_it(cluster, failed_login):
    office = as_user(cluster, "portal", cluster.user(None, "audit_admin"))
    for field in ("person", "q"):
        rows = office.get(URL, {field: TYPED[:6]}).context["rows"]
        assert [row for row in rows if row["code"] == "login_failed" and row["actor"] == TYPED], field
