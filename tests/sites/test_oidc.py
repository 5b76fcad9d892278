"""统一身份认证 without a provider: matching by issuer and subject, the second factor the provider
asserts, the button, local passwords turned off, refused callbacks, the URIs to register."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from sites.models import AuditEvent, Role, SiteGroup
from sites.oidc.identities import second_factor_asserted, user_for
from sites.oidc.models import Identity
from sites.roles import grant_role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ISSUER = "https://tyrz.example.gov.cn"
OTHER_ISSUER = "https://tyrz.other-province.gov.cn"


@pytest.fixture
def oidc_on(settings):
    settings.CMS_OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens: these tests never reach it
    settings.CMS_OIDC_CLIENT_ID = "cms-test"
    settings.CMS_OIDC_CLIENT_SECRET = "secret"  # noqa: S105
    return settings


def site_client():
    client = Client(HTTP_HOST="jtj.localhost")
    client.cookies["cms_sso_checked"] = "1"  # no hop to the sign-on hub first
    return client


# --- matching -------------------------------------------------------------------------------------


def test_the_same_subject_with_another_email_is_the_same_user(cluster):
    first, created = user_for(ISSUER, {"sub": "31010119900101001X", "email": "old@example.cn", "name": "赵六"})
    again, created_again = user_for(ISSUER, {"sub": "31010119900101001X", "email": "new@example.cn", "name": "赵六"})
    assert created and not created_again
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.email == "new@example.cn" and again.full_name == "赵六"
    assert Identity.objects.filter(user=first).count() == 1


def test_the_same_subject_at_another_issuer_is_another_user(cluster):
    here, _ = user_for(ISSUER, {"sub": "10001", "preferred_username": "zhao6"})
    there, created = user_for(OTHER_ISSUER, {"sub": "10001", "preferred_username": "zhao6"})
    assert created and there.pk != here.pk
    assert Identity.objects.of(ISSUER, "10001").get().user == here
    assert Identity.objects.of(OTHER_ISSUER, "10001").get().user == there


def test_an_email_or_name_never_takes_over_a_local_account(cluster):
    editor = cluster.user("jtj", Role.EDITOR)
    user, created = user_for(
        ISSUER, {"sub": "evil-1", "preferred_username": editor.username, "email": editor.email, "name": "冒名"}
    )
    assert created and user.pk != editor.pk
    assert user.username != editor.username and user.username.startswith(editor.username)
    editor.refresh_from_db()
    assert editor.full_name != "冒名"


def test_a_new_user_has_no_role_and_no_usable_password(cluster):
    user, _ = user_for(ISSUER, {"sub": "new-1", "preferred_username": "xinren"})
    assert not SiteGroup.objects.filter(group__user=user).exists()
    assert not user.is_superuser and not user.is_staff
    assert not user.has_usable_password()


@pytest.mark.parametrize(
    ("claims", "strong_acr", "expected"),
    [
        ({"amr": ["pwd"]}, [], False),
        ({"amr": ["pwd", "otp"]}, [], True),
        ({"amr": ["mfa"]}, [], True),
        ({"amr": "hwk"}, [], True),
        ({}, [], False),
        ({"acr": "urn:gov:loa:3"}, [], False),
        ({"acr": "urn:gov:loa:3"}, ["urn:gov:loa:3"], True),
        ({"acr": "urn:gov:loa:1"}, ["urn:gov:loa:3"], False),
    ],
)
def test_second_factor_asserted_by_amr_or_a_trusted_acr(settings, claims, strong_acr, expected):
    settings.CMS_OIDC_STRONG_ACR = strong_acr
    assert second_factor_asserted(claims) is expected


# --- the login page and refused callbacks ---------------------------------------------------------


def test_no_button_and_no_callback_without_a_provider(cluster):
    client = site_client()
    page = client.get("/admin/login/")
    assert page.status_code == 200
    assert "统一身份认证登录" not in page.content.decode()
    assert client.get("/admin/login/oidc/").status_code == 404
    assert client.get("/admin/login/oidc/callback/", {"state": "x", "code": "y"}).status_code == 404


def test_the_button_carries_next_beside_the_password_form(cluster, oidc_on):
    page = site_client().get("/admin/login/", {"next": "/admin/pages/"}).content.decode()
    assert 'id="oidc-login"' in page and "统一身份认证登录" in page
    assert "/admin/login/oidc/?next=%2Fadmin%2Fpages%2F" in page
    assert 'name="password"' in page


@pytest.mark.parametrize("query", [{}, {"state": "forged", "code": "x"}, {"code": "x"}])
def test_a_callback_this_browser_did_not_start_is_refused_and_audited(cluster, oidc_on, query):
    before = AuditEvent.objects.filter(action="oidc_login_failed").count()
    response = site_client().get("/admin/login/oidc/callback/", query)
    assert response.status_code == 400
    assert "统一身份认证登录未完成" in response.content.decode()
    assert "_auth_user_id" not in site_client().session
    assert AuditEvent.objects.filter(action="oidc_login_failed").count() == before + 1


def test_an_unreachable_provider_is_a_clear_message(cluster, oidc_on):
    response = site_client().get("/admin/login/oidc/")
    assert response.status_code == 502
    assert "统一身份认证服务暂时无法访问" in response.content.decode()


# --- local passwords turned off ------------------------------------------------------------------


def test_local_passwords_off_hides_the_form_and_refuses_it_on_the_server(cluster, oidc_on):
    editor = cluster.user("jtj", Role.EDITOR)
    client = site_client()
    # Positive control: the same POST signs in while local passwords are on.
    signed_in = client.post("/admin/login/", {"username": editor.username, "password": PASSWORD})
    assert signed_in.status_code == 302 and "_auth_user_id" in client.session

    oidc_on.CMS_LOCAL_PASSWORD_LOGIN = False
    client = site_client()
    page = client.get("/admin/login/").content.decode()
    assert 'name="password"' not in page and 'id="oidc-login"' in page
    before = AuditEvent.objects.filter(action="local_password_refused").count()
    refused = client.post("/admin/login/", {"username": editor.username, "password": PASSWORD})
    assert refused.status_code == 403
    assert "本地密码登录已关闭" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="local_password_refused").count() == before + 1
    assert PASSWORD not in str(AuditEvent.objects.filter(action="local_password_refused").last().detail)
    assert client.get("/admin/password_reset/").status_code == 403


def test_local_passwords_off_still_lets_the_break_glass_superuser_in(cluster, settings):
    settings.CMS_LOCAL_PASSWORD_LOGIN = False
    superuser = UserFactory(username="breakglass-oidc-test")
    get_user_model().objects.filter(pk=superuser.pk).update(is_superuser=True)
    client = site_client()
    response = client.post("/admin/login/", {"username": superuser.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(superuser.pk)
    # An ordinary account with the right password is refused in the same deployment.
    editor = cluster.user("jtj", Role.EDITOR)
    assert site_client().post("/admin/login/", {"username": editor.username, "password": PASSWORD}).status_code == 403


# --- what to register at the provider -------------------------------------------------------------


def test_redirect_uris_command_lists_every_site_host(cluster, capsys, settings):
    settings.CMS_PUBLIC_PORT = "8000"
    call_command("oidc_redirect_uris")
    out = capsys.readouterr().out
    for code in ("portal", "jtj", "jyj"):
        assert f"http://{code}.localhost:8000/admin/login/oidc/callback/" in out
        assert f"http://{code}.localhost:8000/admin/login/\n" in out
    redirects, rest = out.split("# 后台通道退出地址", 1)
    backchannel, cas = rest.split("# CAS 服务地址", 1)
    assert "site_template" not in out and "cluster.localhost" not in redirects
    # One back-channel logout URI, on the sign-on hub, where every host's sessions live.
    assert backchannel.splitlines()[1:] == ["http://cluster.localhost:8000/oidc/backchannel-logout/"]
    # CAS: every site host's service, and one pattern that admits them with their ?state= only.
    services, pattern = cas.splitlines()[1:-1], cas.splitlines()[-1]
    assert "http://jtj.localhost:8000/admin/login/cas/callback/" in services and "cluster.localhost" not in cas
    assert re.fullmatch(pattern, "http://jtj.localhost:8000/admin/login/cas/callback/?state=abc")
    assert not re.fullmatch(pattern, "http://evil.example/admin/login/cas/callback/?state=abc")
    assert not re.fullmatch(pattern, "http://jtj.localhost:8000/admin/login/cas/callback/x")


def test_a_role_granted_later_is_ours_not_the_providers(cluster):
    user, _ = user_for(ISSUER, {"sub": "later-1", "preferred_username": "houlai", "roles": ["site_admin"]})
    assert not SiteGroup.objects.filter(group__user=user).exists()
    grant_role(user, Role.EDITOR, cluster.sites["jtj"])
    again, _ = user_for(ISSUER, {"sub": "later-1", "preferred_username": "houlai"})
    assert SiteGroup.objects.filter(group__user=again, role=Role.EDITOR, tenant=cluster.sites["jtj"]).exists()


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ("ａｄｍｉｎ", "admin-"),  # full-width: the same name as admin, so it gets the suffix
        ("\u0430dmin", "tyrz"),  # a Cyrillic а among Latin letters: not taken as a name at all
        ("张三", "张三"),  # a name in one script is kept
    ],
)
def test_a_look_alike_user_name_is_never_given_out(cluster, wanted, expected):
    get_user_model().objects.get_or_create(username="admin")
    user, created = user_for(ISSUER, {"sub": f"look-{wanted}", "preferred_username": wanted})
    assert created and user.username.startswith(expected)
