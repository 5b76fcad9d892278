"""Every string on the console's screens is Chinese: the text a person reads in the main area of each
screen (and the refusal page) holds no English words; codes, hosts and addresses are data, not words.
Cells that show recorded data (a user name, a file path, an audit target) are marked
``translate="no"``, as HTML marks text that is not language, and are left out here."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

# Data that may show on a screen: site codes, hosts and their examples, file names, the CSV format,
# the user names of the test cluster (jtj_admin …), and ICP (ICP备案号 is the term's Chinese name).
ALLOWED = {"jtj", "jyj", "portal", "localhost", "city", "gov", "csv", "tar", "var", "backups", "https", "http", "icp"}
ALLOWED |= {"admin", "editor", "reviewer", "secrecy", "handler", "weboffice"}
WORD = re.compile(r"[A-Za-z]{3,}")


class MainText(HTMLParser):
    """Visible text and the labels people hear (aria-label, placeholder, title) inside <main>."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.skip = 0
        self.data_tags = []  # open elements marked translate="no"
        self.text = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        if tag in ("script", "style", "template"):
            self.skip += 1
        if self.data_tags or ("translate", "no") in attrs:
            self.data_tags.append(tag)
            return
        if self.depth:
            for name, value in attrs:
                if name in ("aria-label", "placeholder", "title") and value:
                    self.text.append(value)

    def handle_endtag(self, tag):
        if self.data_tags:
            if self.data_tags[-1] == tag:
                self.data_tags.pop()
            return
        if tag == "main":
            self.depth -= 1
        if tag in ("script", "style", "template"):
            self.skip -= 1

    def handle_data(self, data):
        if self.depth and not self.skip and not self.data_tags and data.strip():
            self.text.append(data.strip())


def english_words(html, data=()):
    """English words in ``<main>``, leaving out ``ALLOWED`` and the caller's ``data`` (a site code)."""
    parser = MainText()
    parser.feed(html)
    allowed = ALLOWED | {word.lower() for word in data}
    words = set()
    for text in parser.text:
        words.update(word for word in WORD.findall(text) if word.lower() not in allowed)
    return words, parser.text


@pytest.mark.parametrize(
    "url",
    [
        "/admin/cluster/",
        "/admin/cluster/new/",
        "/admin/cluster/jtj/",
        "/admin/cluster/restore/",
        "/admin/cluster/audit/",
        "/admin/cluster/audit/?date_from=2026-02-30",
    ],
)
def test_the_web_office_screens_are_chinese(cluster, url):
    client = Client(HTTP_HOST=cluster.host("portal"))
    # 三员分立: the audit log is the audit administrator's, the rest the system administrator's.
    client.force_login(cluster.user(None, "audit_admin" if "/audit/" in url else "web_office"))
    answer = client.get(url)
    assert answer.status_code in (200, 400)
    words, text = english_words(answer.content.decode())
    assert text, "no text found in <main>"
    assert not words, f"English on {url}: {sorted(words)}"


def test_a_refused_form_and_the_refusal_page_are_chinese(cluster):
    office = Client(HTTP_HOST=cluster.host("portal"))
    office.force_login(cluster.user(None, "web_office"))
    refused = office.post("/admin/cluster/new/", {"code": "", "name": "", "kind": "department", "domain": ""})
    words, _text = english_words(refused.content.decode())
    body = refused.content.decode()
    assert refused.status_code == 200 and refused.context["form"].errors, body[body.find("<main") :][:3000]
    errors = [message for messages in refused.context["form"].errors.values() for message in messages]
    assert all(message in body for message in errors) and not words, (errors, sorted(words))
    editor = Client(HTTP_HOST=cluster.host("jtj"))
    editor.force_login(cluster.user("jtj", "editor"))
    page = editor.get("/admin/cluster/")
    assert page.status_code == 403
    words, text = english_words(page.content.decode())
    assert "只有网站办可以使用此功能。" in text and not words, sorted(words)


def test_the_check_still_reads_everything_but_marked_data():
    html = '<main><table><tr><td translate="no">pytest-of-root <b>tmp</b></td><td>Password</td></tr></table></main>'
    words, _text = english_words(html)
    assert words == {"Password"}
