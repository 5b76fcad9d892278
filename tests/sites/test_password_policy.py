"""Password policy (等保三级): complexity, no reuse of the last five, change every N days, and the
forced change of a password that someone else set."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command

from sites.models import AuditEvent, Role, User
from sites.policy.models import PasswordHistory, PasswordState
from sites.policy.passwords import change_required, character_classes
from tests.factories import UserFactory

from .policy_helpers import login_password, site_client

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _policy_on(settings):
    settings.CMS_PASSWORD_POLICY_ENFORCED = True


def codes(error):
    return {item.code for item in error.value.error_list}


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Short-1a", "password_too_short"),  # 8 characters, four classes: too short
        ("alllowercaseletters", "password_too_simple"),  # one class
        ("lowercase-and-symbols", "password_too_simple"),  # two classes
        ("ALLCAPS12345678", "password_too_simple"),
    ],
)
def test_weak_passwords_are_refused(password, code):
    with pytest.raises(ValidationError) as error:
        validate_password(password)
    assert code in codes(error)


@pytest.mark.parametrize("password", ["Jiaotong-bianji", "jiaotong-2026-bj", "Jiaotong2026bj", "交通局Bianji2026"])
def test_three_classes_of_twelve_characters_pass(password):
    validate_password(password)
    assert character_classes(password) >= 3


def test_the_minimum_length_is_a_setting(settings):
    settings.CMS_PASSWORD_MIN_LENGTH = 16
    with pytest.raises(ValidationError):
        validate_password("Jiaotong-2026!")


def set_own_password(user, password):
    """The owner's own change (they are the one signed in)."""
    validate_password(password, user)
    user._cms_password_set_by_owner = True
    user.set_password(password)
    user.save()


def test_none_of_the_last_five_passwords_is_taken_again():
    user = UserFactory(username="pw_history")
    passwords = [f"Xinmima-{n}-abcdef" for n in range(6)]
    for password in passwords:
        set_own_password(user, password)
    assert PasswordHistory.objects.filter(user=user).count() == 5  # no more kept than needed
    assert all(not row.startswith("Xinmima") for row in PasswordHistory.objects.values_list("password", flat=True))
    for password in passwords[1:]:  # the current one and the four before it
        with pytest.raises(ValidationError) as error:
            validate_password(password, user)
        assert "password_reused" in codes(error)
    validate_password(passwords[0], user)  # six changes ago: allowed again
    set_own_password(user, "Another-new-one-2026")
    with pytest.raises(ValidationError):
        validate_password(passwords[5], user)


def test_a_password_set_by_a_command_must_be_changed_at_first_login(cluster, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Chushi-mima-2026!\n"))
    call_command(
        "grant_role", "--user", "li_si", "--site", "jtj", "--role", "编辑", "--create", "--password-stdin",
        stdout=io.StringIO(),
    )  # fmt: skip
    user = User.objects.get(username="li_si")
    assert PasswordState.objects.get(user=user).must_change
    client = site_client()
    answer = login_password(client, user, "Chushi-mima-2026!")
    assert client.session["_auth_user_id"] == str(user.pk)
    landing = client.get(answer["Location"])
    assert landing["Location"].startswith("/admin/login/password/")
    assert client.get("/admin/pages/")["Location"].startswith("/admin/login/password/")
    page = client.get("/admin/login/password/")
    assert "初始密码" in page.content.decode()
    # The new password follows the rules (reusing the initial one is refused).
    same = client.post(
        "/admin/login/password/",
        {
            "old_password": "Chushi-mima-2026!",
            "new_password1": "Chushi-mima-2026!",
            "new_password2": "Chushi-mima-2026!",
        },
    )
    assert same.status_code == 200 and "最近 5 次" in same.content.decode()
    weak = client.post(
        "/admin/login/password/",
        {"old_password": "Chushi-mima-2026!", "new_password1": "abcdefghijkl", "new_password2": "abcdefghijkl"},
    )
    assert weak.status_code == 200
    done = client.post(
        "/admin/login/password/?next=/admin/pages/",
        {
            "old_password": "Chushi-mima-2026!",
            "new_password1": "Ziji-xuande-2026!",
            "new_password2": "Ziji-xuande-2026!",
        },
    )
    assert done["Location"] == "/admin/pages/"
    assert not PasswordState.objects.get(user=user).must_change
    assert client.session["_auth_user_id"] == str(user.pk)  # still signed in
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(action="password_forced_change", target="li_si").exists()
    changes = AuditEvent.objects.filter(action="password_changed", target="li_si").order_by("pk")
    assert [event.detail["by_owner"] for event in changes] == [False, True]


def test_a_password_an_admin_sets_for_someone_else_must_be_changed(cluster, rf):
    from sites.policy.context import reset_request, set_request

    admin = cluster.user("jtj", Role.SITE_ADMIN)
    user = UserFactory(username="wang_wu")
    request = rf.post("/admin/users/")
    request.user = admin
    token = set_request(request)
    try:
        user.set_password("Admin-gave-this-2026")
        user.save()
    finally:
        reset_request(token)
    assert change_required(user) == "initial"


def test_the_development_settings_leave_the_demo_password_alone(settings):
    settings.CMS_PASSWORD_INITIAL_CHANGE = False
    user = UserFactory(username="demo_like")  # set by a seed: someone else
    assert PasswordState.objects.get(user=user).must_change
    assert change_required(user) is None


def test_a_password_older_than_the_limit_must_be_changed(cluster, settings):
    settings.CMS_PASSWORD_MAX_AGE_DAYS = 90
    with time_machine.travel(START, tick=False) as clock:
        user = UserFactory(username="zhao_liu")
        set_own_password(user, "Ziji-xuande-2026!")
        clock.shift(timedelta(days=89, hours=23))
        assert change_required(user) is None
        client = site_client()
        client.force_login(cluster.user("jtj", Role.EDITOR))
        editor = cluster.user("jtj", Role.EDITOR)
        set_own_password(editor, "Bianji-ziji-2026!")
        client.force_login(editor)
        assert client.get("/admin/").status_code == 200
        clock.shift(timedelta(days=90, hours=1))
        assert change_required(user) == "expired"
        client = site_client()
        client.force_login(editor)
        assert client.get("/admin/")["Location"].startswith("/admin/login/password/")
        assert "已使用超过规定期限" in client.get("/admin/login/password/").content.decode()
        settings.CMS_PASSWORD_MAX_AGE_DAYS = 0  # no expiry
        assert change_required(user) is None


def test_passwords_from_before_the_rules_age_from_now(cluster):
    user = cluster.user("jyj", Role.EDITOR)
    PasswordState.objects.filter(user=user).delete()
    assert change_required(user) is None
    assert PasswordState.objects.get(user=user).must_change is False
