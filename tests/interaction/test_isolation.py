"""Isolation of the 互动交流 desk: another site's staff, a role without the handler's duty, the public.

Each refusal is paired with a positive control: the same request succeeds for someone entitled,
so the check could fail. Every body is also searched for the citizen's name and phone number.
"""

from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from interaction import services, uploads
from interaction.models import MessageAttachment, Status
from sites.models import AuditEvent
from tests.refusals import is_refused

pytestmark = pytest.mark.django_db

BASE = "/admin/interaction"
SECRET_BITS = ("张三", "13812345678", "11010519491231002X", "附件里的秘密内容")


def client_for(cluster, code, user):
    client = Client(HTTP_HOST=cluster.host(code))
    if user is not None:
        client.force_login(user)
    return client


def leaks(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    return [bit for bit in SECRET_BITS if bit in text]


@pytest.fixture
def records(cluster, write_message):
    message = write_message(subject="门户的留言标题")
    name = uploads.storage().save(f"portal/{message.code}/proof.txt", ContentFile("附件里的秘密内容".encode()))
    attachment = MessageAttachment.objects.create(message=message, file=name, name="证明.txt", size=24)
    application = services.submit_application(
        cluster.sites["portal"],
        {
            "applicant_type": "citizen",
            "name": "张三",
            "id_number": "11010519491231002X",
            "phone": "13812345678",
            "description": "请公开门户网站的某项政府信息内容。",
            "provision_form": "electronic",
            "delivery": "pickup",
        },
    )
    return message, attachment, application


def urls(records):
    message, attachment, application = records
    return {
        "detail": ("get", f"{BASE}/messages/{message.pk}/"),
        "reveal": ("post", f"{BASE}/messages/{message.pk}/reveal/"),
        "attachment": ("get", f"{BASE}/messages/{message.pk}/attachments/{attachment.pk}/"),
        "application": ("get", f"{BASE}/applications/{application.pk}/"),
        "application_reveal": ("post", f"{BASE}/applications/{application.pk}/reveal/"),
    }


def request(client, method, url):
    return getattr(client, method)(url)


def test_the_handler_and_the_web_office_get_everything(cluster, records):
    """Positive controls for every URL below."""
    for code, user in (("portal", cluster.user("portal", "handler")), ("jyj", cluster.user(None, "web_office"))):
        client = client_for(cluster, code, user)
        for label, (method, url) in urls(records).items():
            response = request(client, method, url)
            assert response.status_code == 200, (code, label)
        assert records[0].code in client.get(f"{BASE}/messages/").content.decode()
        assert records[2].code in client.get(f"{BASE}/applications/").content.decode()
    shown = client_for(cluster, "portal", cluster.user("portal", "handler")).post(urls(records)["reveal"][1])
    assert "张三" in shown.content.decode() and "13812345678" in shown.content.decode()
    download = client_for(cluster, "portal", cluster.user("portal", "handler")).get(urls(records)["attachment"][1])
    assert "附件里的秘密内容" in b"".join(download.streaming_content).decode()
    assert download["X-Content-Type-Options"] == "nosniff" and "attachment" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(action="interaction.attachment_downloaded", target=records[0].code).exists()


@pytest.mark.parametrize(
    "code, who",
    [
        ("jyj", ("jyj", "handler")),  # another site's handler, on their own site
        ("jyj", ("jyj", "site_admin")),
        ("jtj", ("jtj", "handler")),  # not forwarded to jtj (yet)
        ("jyj", ("jyj", "reviewer")),
    ],
)
def test_another_site_s_staff_see_nothing_on_their_own_site(cluster, records, code, who):
    client = client_for(cluster, code, cluster.user(*who))
    listing = client.get(f"{BASE}/messages/")
    assert listing.status_code == 200 and records[0].code not in listing.content.decode()
    assert records[2].code not in client.get(f"{BASE}/applications/").content.decode()
    assert records[0].code not in client.get(f"{BASE}/messages/export.csv").content.decode()
    assert records[0].code not in client.get(f"{BASE}/overdue/").content.decode()
    for label, (method, url) in urls(records).items():
        response = request(client, method, url)
        assert response.status_code == 404, label
        assert not leaks(response), label
    # Forged actions change nothing.
    client.post(f"{BASE}/messages/{records[0].pk}/do/start/")
    records[0].refresh_from_db()
    assert records[0].status == Status.RECEIVED


@pytest.mark.parametrize(
    "who",
    [("jyj", "handler"), ("jtj", "editor"), ("jtj", "site_admin"), ("portal", "editor"), ("portal", "secrecy_officer")],
)
def test_no_desk_on_the_portal_without_a_desk_role_there(cluster, records, who):
    client = client_for(cluster, "portal", cluster.user(*who))
    for url in (f"{BASE}/messages/", f"{BASE}/applications/", f"{BASE}/messages/export.csv", f"{BASE}/statistics/"):
        response = client.get(url)
        assert is_refused(response, cluster.host("portal")), (who, url)
        assert records[0].code not in response.content.decode()
    for label, (method, url) in urls(records).items():
        response = request(client, method, url)
        assert is_refused(response, cluster.host("portal")), (who, label)
        assert not leaks(response), (who, label)


def test_jtj_s_editor_has_no_desk_on_jtj_either(cluster, records):
    client = client_for(cluster, "jtj", cluster.user("jtj", "editor"))
    assert is_refused(client.get(f"{BASE}/messages/"), cluster.host("jtj"))
    # Positive control: jtj's handler opens the same list.
    assert client_for(cluster, "jtj", cluster.user("jtj", "handler")).get(f"{BASE}/messages/").status_code == 200


@pytest.mark.parametrize("role", ["site_admin", "reviewer"])
def test_the_site_admin_and_reviewer_see_the_masked_record_but_no_personal_data(cluster, records, role):
    message, _attachment, application = records
    client = client_for(cluster, "portal", cluster.user("portal", role))
    listing = client.get(f"{BASE}/messages/")
    assert message.code in listing.content.decode() and "张*" in listing.content.decode()
    detail = client.get(f"{BASE}/messages/{message.pk}/")
    assert detail.status_code == 200 and "门户的留言标题" in detail.content.decode()
    assert not leaks(detail) and "显示个人信息" not in detail.content.decode()
    assert "只有本站的互动办理员可以查看" in detail.content.decode()
    for label in ("reveal", "attachment", "application_reveal"):
        method, url = urls(records)[label]
        response = request(client, method, url)
        assert is_refused(response, cluster.host("portal")), label
        assert not leaks(response), label
    assert not leaks(client.get(f"{BASE}/applications/{application.pk}/"))
    assert not leaks(client.get(f"{BASE}/messages/export.csv"))


def sent_to_sign_on(response):
    """The anonymous are sent to the sign-on check (sites/sso.py), which leads to the login page."""
    return response.status_code == 302 and urlsplit(response["Location"]).path == "/sso/check/"


def test_the_public_reaches_nothing(cluster, records):
    anonymous = client_for(cluster, "portal", None)
    for url in (f"{BASE}/messages/", f"{BASE}/messages/export.csv", f"{BASE}/reviews/"):
        response = anonymous.get(url)
        assert sent_to_sign_on(response) and records[0].code not in response.content.decode()
    for label, (method, url) in urls(records).items():
        response = request(anonymous, method, url)
        assert sent_to_sign_on(response) or is_refused(response, cluster.host("portal")), label
        assert not leaks(response), label
    # The stored file has no public URL: MEDIA_URL does not serve the private store.
    assert anonymous.get(f"/media/{records[1].file.name}").status_code == 404


def test_the_forwarding_site_follows_and_the_department_sees_only_what_it_was_given(cluster, records):
    message = records[0]
    portal, jtj = cluster.sites["portal"], cluster.sites["jtj"]
    jtj_handler = client_for(cluster, "jtj", cluster.user("jtj", "handler"))
    assert jtj_handler.get(f"{BASE}/messages/{message.pk}/").status_code == 404
    services.forward(message, cluster.user("portal", "handler"), portal, jtj, "请答复")
    assert jtj_handler.get(f"{BASE}/messages/{message.pk}/").status_code == 200
    assert jtj_handler.post(f"{BASE}/messages/{message.pk}/reveal/").status_code == 200
    # The portal's handler still follows it; jyj still sees nothing; jtj never sees portal's application.
    assert (
        client_for(cluster, "portal", cluster.user("portal", "handler"))
        .get(f"{BASE}/messages/{message.pk}/")
        .status_code
        == 200
    )
    assert (
        client_for(cluster, "jyj", cluster.user("jyj", "handler")).get(f"{BASE}/messages/{message.pk}/").status_code
        == 404
    )
    assert jtj_handler.get(f"{BASE}/applications/{records[2].pk}/").status_code == 404
    # jtj's reviewer sees the question, not the asker.
    jtj_reviewer = client_for(cluster, "jtj", cluster.user("jtj", "reviewer"))
    detail = jtj_reviewer.get(f"{BASE}/messages/{message.pk}/")
    assert detail.status_code == 200 and not leaks(detail)


def test_every_action_needs_the_csrf_token(cluster, records):
    message = records[0]
    client = Client(HTTP_HOST=cluster.host("portal"), enforce_csrf_checks=True)
    client.force_login(cluster.user("portal", "handler"))
    for url in (
        f"{BASE}/messages/{message.pk}/do/start/",
        f"{BASE}/messages/{message.pk}/reveal/",
        f"{BASE}/applications/{records[2].pk}/do/confirm/",
    ):
        response = client.post(url, {"on": "2026-03-02"})
        assert response.status_code == 403, url
        assert not leaks(response), url
    message.refresh_from_db()
    assert message.status == Status.RECEIVED
    # Positive control: with the token from the detail page the same POST goes through.
    client.get(f"{BASE}/messages/{message.pk}/")
    token = client.cookies["csrftoken"].value
    assert client.post(f"{BASE}/messages/{message.pk}/do/start/", {"csrfmiddlewaretoken": token}).status_code == 302
    message.refresh_from_db()
    assert message.status == Status.PROCESSING
