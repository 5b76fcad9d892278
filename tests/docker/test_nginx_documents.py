"""The shipped nginx configuration, run for real: documents never leave by /media/ (issue 10, item 2).

nginx starts with docker/nginx/cluster.conf, only its addresses and directories moved to a
temporary directory. The application is a small stub that answers as cms/documents.py does: an
``X-Accel-Redirect`` to the internal location for a document it has cleared, a login redirect for
one it refuses. Images keep being served from /media/ (the positive control).
"""

import http.client
import http.server
import threading
from urllib.parse import quote, unquote

import pytest

from cms.documents import accel_redirect_uri
from tests.nginx import shipped_nginx

ACCEL_PREFIX = "/_documents/"  # production's CMS_DOCUMENTS_ACCEL_REDIRECT
PDF = "%PDF-1.4\n内部文件：不得公开\n%%EOF\n".encode()
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
SECRET = b"outside the media directory"
NAME = "内部通知.pdf"


class StubApp(http.server.BaseHTTPRequestHandler):
    """Answers like the document view; every header nginx must act on, no body."""

    routes = {}

    def do_GET(self):  # noqa: N802 - the name http.server calls
        status, headers = self.routes.get(unquote(self.path), (404, {}))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def nginx(tmp_path_factory):
    root = tmp_path_factory.mktemp("nginx")
    media = root / "media"
    (media / "jtj" / "documents").mkdir(parents=True)
    (media / "jtj" / "original_images").mkdir(parents=True)
    (media / "documents").mkdir()  # a name from before the site prefix
    (media / "jtj" / "documents" / NAME).write_bytes(PDF)
    (media / "documents" / "old.pdf").write_bytes(PDF)
    (media / "jtj" / "original_images" / "photo.png").write_bytes(PNG)
    (root / "secret.txt").write_bytes(SECRET)
    for name in ("static", "static-output"):
        (root / name).mkdir()

    cleared = accel_redirect_uri(media / "jtj" / "documents" / NAME, media, ACCEL_PREFIX)
    StubApp.routes = {
        f"/documents/1/{NAME}": (
            200,
            {
                "X-Accel-Redirect": cleared,
                "Content-Type": "application/pdf",
                "Content-Disposition": f"inline; filename*=UTF-8''{quote(NAME)}",
                "Cache-Control": "no-cache, private",
            },
        ),
        "/documents/2/refused.pdf": (
            302,
            {"Location": "/_util/login/?next=/documents/2/refused.pdf", "Referrer-Policy": "same-origin"},
        ),
        # A broken or hostile answer must not reach past the media directory.
        "/documents/3/escape.pdf": (200, {"X-Accel-Redirect": ACCEL_PREFIX + "../secret.txt"}),
        "/documents/4/escape.pdf": (200, {"X-Accel-Redirect": ACCEL_PREFIX + "%2E%2E/secret.txt"}),
    }
    app = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StubApp)
    threading.Thread(target=app.serve_forever, daemon=True).start()

    try:
        with shipped_nginx(root, media=media, output=root / "static-output", app_port=app.server_address[1]) as port:
            yield port
    finally:
        app.shutdown()


def get(port, path, host="jtj.localhost"):
    """One raw request: the path is sent exactly as written (no client-side normalisation)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


FILE = quote(NAME)
SPELLINGS = [
    f"/media/jtj/documents/{FILE}",
    f"/media/jtj/%64ocuments/{FILE}",
    f"/media/jtj/Documents/{FILE}",
    f"/media/jtj//documents/{FILE}",
    f"/media//jtj/documents/{FILE}",
    f"/media/jtj/./documents/{FILE}",
    f"/media/jtj/original_images/../documents/{FILE}",
    f"/media/jtj/documents%2F{FILE}",
    f"/media/jtj/documents/{FILE}?download=1",
    "/media/documents/old.pdf",
    f"/_documents/jtj/documents/{FILE}",
    f"/_documents//jtj/documents/{FILE}",
]


@pytest.mark.parametrize("host", ["jtj.localhost", "jyj.localhost", "cluster.localhost"])
@pytest.mark.parametrize("path", SPELLINGS)
def test_a_document_file_is_never_served_by_its_path(nginx, host, path):
    status, _headers, body = get(nginx, path, host)
    assert status == 404, (path, status)
    assert PDF not in body and "内部文件".encode() not in body


@pytest.mark.parametrize("host", ["jtj.localhost", "jyj.localhost", "cluster.localhost"])
def test_images_are_still_served_from_media(nginx, host):
    status, headers, body = get(nginx, "/media/jtj/original_images/photo.png", host)
    assert status == 200 and body == PNG
    assert headers["x-content-type-options"] == "nosniff"


def test_a_cleared_document_is_sent_by_nginx_from_the_internal_location(nginx):
    status, headers, body = get(nginx, f"/documents/1/{FILE}")
    assert status == 200 and body == PDF
    assert int(headers["content-length"]) == len(PDF)
    assert "x-accel-redirect" not in headers
    # The application's headers that matter to the reader survive the internal redirect ...
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"] == f"inline; filename*=UTF-8''{FILE}"
    assert "private" in headers["cache-control"]
    # ... and the location adds what the document view would have (no scripts, no sniffing).
    assert headers["content-security-policy"] == "default-src 'none'"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert "expires" not in headers


def test_a_refused_document_is_the_applications_answer_only(nginx):
    status, headers, body = get(nginx, "/documents/2/refused.pdf")
    assert status == 302 and headers["location"].startswith("/_util/login/")
    assert PDF not in body


@pytest.mark.parametrize("path", ["/documents/3/escape.pdf", "/documents/4/escape.pdf"])
def test_an_internal_redirect_cannot_leave_the_media_directory(nginx, path):
    status, _headers, body = get(nginx, path)
    assert status != 200 and SECRET not in body


def test_a_proxied_answer_carries_the_applications_headers_once(nginx):
    """nginx adds no security header of its own to what the application answered (no duplicates)."""
    connection = http.client.HTTPConnection("127.0.0.1", nginx, timeout=10)
    try:
        connection.request("GET", "/documents/2/refused.pdf", headers={"Host": "jtj.localhost"})
        names = [name.lower() for name, _value in connection.getresponse().getheaders()]
    finally:
        connection.close()
    assert names.count("referrer-policy") == 1
    assert "x-content-type-options" not in names  # the stub sent none, and nginx added none
