"""The password reset tells the truth about its e-mail: no mail server, no reset screens; a mail
server that cannot be reached, or a send that fails, is an error, never "sent"."""

import socket

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings

from sites.sso import CHECKED_COOKIE

pytestmark = pytest.mark.django_db

HOST = "jtj.localhost"
SENT = "检查您的邮件"  # Wagtail's "Check your email" heading, in Chinese


class FailingBackend(BaseEmailBackend):
    """Opens like a working server, then refuses the message (a full mailbox, a relay refusal)."""

    def send_messages(self, messages):
        raise OSError("550 relay not permitted")


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the probe is


@pytest.fixture(autouse=True)
def signed_out_browser(client):
    """A browser the sign-on hub has already seen signed out: the admin shows its own screens."""
    client.cookies[CHECKED_COOKIE] = "1"


@pytest.fixture
def editor(cluster):
    user = cluster.user("jtj", "editor")
    user.email = "editor@jtj.example.gov.cn"
    user.save(update_fields=["email"])
    return user


def reset(client, email="editor@jtj.example.gov.cn"):
    return client.post("/admin/password_reset/", {"email": email}, HTTP_HOST=HOST, follow=True)


def test_without_a_mail_server_there_is_no_reset_to_offer(client, cluster, settings):
    """The test settings configure no mail server, as a production without EMAIL_HOST."""
    assert not settings.WAGTAIL_PASSWORD_RESET_ENABLED
    login = client.get("/admin/login/", HTTP_HOST=HOST)
    assert login.status_code == 200 and "password_reset" not in login.content.decode()
    assert client.get("/admin/password_reset/", HTTP_HOST=HOST).status_code == 404
    assert client.post("/admin/password_reset/", {"email": "a@b.cn"}, HTTP_HOST=HOST).status_code == 404


@override_settings(WAGTAIL_PASSWORD_RESET_ENABLED=True, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_a_working_mail_server_sends_the_link(client, editor, settings):
    login = client.get("/admin/login/", HTTP_HOST=HOST)
    assert "/admin/password_reset/" in login.content.decode()
    response = reset(client)
    assert response.redirect_chain[-1][0].endswith("/admin/password_reset/done/")
    assert SENT in response.content.decode()
    [message] = mail.outbox
    # The link goes to the cluster's admin address (WAGTAILADMIN_BASE_URL): users are shared by every site.
    assert (
        message.to == [editor.email]
        and f"{settings.WAGTAILADMIN_BASE_URL}/admin/password_reset/confirm/" in message.body
    )


@pytest.mark.parametrize("address", ["editor@jtj.example.gov.cn", "nobody@example.gov.cn"])
def test_an_unreachable_mail_server_is_an_error_on_the_reset_screen(client, editor, settings, address):
    """The same answer whether or not an account has the address: nothing is revealed."""
    # All through the settings fixture: an override_settings decorator around it would be undone
    # out of order, and leave the SMTP server set for every test after this one.
    settings.WAGTAIL_PASSWORD_RESET_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_TIMEOUT = 5
    settings.EMAIL_PORT = closed_port()
    response = reset(client, address)
    body = response.content.decode()
    assert response.redirect_chain == [] and response.status_code == 200
    assert "邮件服务器暂时无法连接，重置邮件未能发出" in body and "联系网站办" in body
    assert SENT not in body


@override_settings(WAGTAIL_PASSWORD_RESET_ENABLED=True, EMAIL_BACKEND=f"{__name__}.FailingBackend")
def test_a_send_that_fails_is_reported_not_sent(client, editor):
    response = reset(client)
    body = response.content.decode()
    assert "重置邮件未能发出" in body and "联系网站办" in body
    assert SENT not in body
    # The screen says what happened to this request only: the next good one is "sent" again.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        assert SENT in reset(client).content.decode()
