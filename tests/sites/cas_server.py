"""A CAS 3.0 server on loopback for the tests: login form, service tickets good once and for one
service only, ``/p3/serviceValidate`` with attributes, ``/logout``, and single-logout requests.

It speaks the protocol as Apereo CAS does on the wire (the XML of the CAS 3.0 specification); it is
not a product, only the other side of the conversation.
"""

import html
import secrets
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

PASSWORD = "Cas-test-2026"  # noqa: S105 - the test server's accounts
ACCOUNTS = {
    "zhaoliu": {"displayName": "赵六", "mail": "zl@cas.example.cn", "authnContextClass": "pwd"},
    "sunqi": {"displayName": "孙七", "mail": "sq@cas.example.cn", "authnContextClass": "mfa-gauth"},
    "zhouba": {"displayName": "周八", "mail": "zb@cas.example.cn", "authnContextClass": "pwd"},
    # tests/browser/test_cas_login.py's own: its users are committed and outlive the test.
    "wujiu": {"displayName": "吴九", "mail": "wj@cas.example.cn", "authnContextClass": "pwd"},
}


def _success(user, attributes):
    values = "".join(f"<cas:{name}>{html.escape(value)}</cas:{name}>" for name, value in attributes.items())
    return (
        '<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess>'
        f"<cas:user>{html.escape(user)}</cas:user><cas:attributes>{values}</cas:attributes>"
        "</cas:authenticationSuccess></cas:serviceResponse>"
    )


def _failure(code):
    return (
        '<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">'
        f'<cas:authenticationFailure code="{code}">{code}</cas:authenticationFailure></cas:serviceResponse>'
    )


def logout_request(ticket):
    """The SAML LogoutRequest a CAS server POSTs (as ``logoutRequest``) to the service of ``ticket``."""
    return (
        '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        f'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="LR-{secrets.token_hex(8)}" Version="2.0" '
        'IssueInstant="2026-12-04T12:00:00Z"><saml:NameID>@NOT_USED@</saml:NameID>'
        f"<samlp:SessionIndex>{ticket}</samlp:SessionIndex></samlp:LogoutRequest>"
    )


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self, status, body="", content_type="text/html; charset=utf-8", location=None):
        data = body.encode()
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802 - http.server's name
        server = self.server
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        if parts.path == "/cas/login":
            service = html.escape(query.get("service", ""))
            form = (
                f'<form method="post" action="/cas/login"><input type="hidden" name="service" value="{service}">'
                '<input id="username" name="username"><input id="password" name="password" type="password">'
                '<button id="submit">登录</button></form>'
            )
            return self._answer(200, form)
        if parts.path == "/cas/p3/serviceValidate":
            server.validations.append(query)
            if server.answer_override is not None:
                return self._answer(200, server.answer_override, "application/xml")
            with server.lock:
                issued = server.tickets.pop(query.get("ticket", ""), None)  # good once, whatever the answer
            if issued is None:
                return self._answer(200, _failure("INVALID_TICKET"), "application/xml")
            user, service = issued
            if service != query.get("service"):
                return self._answer(200, _failure("INVALID_SERVICE"), "application/xml")
            return self._answer(200, _success(user, ACCOUNTS[user.lower()]), "application/xml")
        if parts.path == "/cas/logout":
            server.logouts.append(query)
            return self._answer(302, location=query.get("service") or "/cas/login")
        if parts.path == "/favicon.ico":
            return self._answer(204)
        return self._answer(404, "not found")

    def do_POST(self):  # noqa: N802 - http.server's name
        if urlsplit(self.path).path != "/cas/login":
            return self._answer(404, "not found")
        length = int(self.headers.get("Content-Length") or 0)
        form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
        user, service = form.get("username", ""), form.get("service", "")
        # As many CAS servers do: the name matched without case, and returned as it was typed.
        if user.lower() not in ACCOUNTS or form.get("password") != PASSWORD or not service:
            return self._answer(401, "用户名或密码错误")
        ticket = self.server.issue(user, service)
        return self._answer(302, location=service + ("&" if "?" in service else "?") + urlencode({"ticket": ticket}))


class CasServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.tickets = {}  # ticket -> (user, service)
        self.validations, self.logouts = [], []
        self.answer_override = None  # a fixed validation answer (hostile XML)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/cas"

    def issue(self, user, service):
        ticket = f"ST-{secrets.randbelow(10**6)}-{secrets.token_urlsafe(24)}-cas01"
        with self.lock:
            self.tickets[ticket] = (user, service)
        return ticket


@contextmanager
def running_cas_server():
    server = CasServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
