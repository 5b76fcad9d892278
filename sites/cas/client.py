"""A CAS 3.0 client, for provinces whose unified identity service speaks CAS rather than OpenID Connect.

The protocol (Apereo CAS Protocol 3.0): the browser goes to the server's ``/login?service=URL``,
comes back to that URL with a service ticket (``ST-…``), and we ask the server's
``/p3/serviceValidate`` whether the ticket was issued for exactly that URL; its XML answer names the
user and carries attributes. The server spends a ticket once. What we add:

* the service URL carries a ``state`` that this browser's session issued and spends once: a ticket
  obtained by somebody else for their own account cannot be pushed into another person's browser
  (login CSRF), and a replayed callback finds no state;
* the answer is read with defusedxml (no DTDs, entities or external references) and size-capped;
* the person is matched by ``cas:`` + the server's URL and the ``user`` it returns, NFKC and
  lower-cased (``Identity``), as an OpenID Connect login is matched by issuer and subject: roles
  stay ours.
"""

import ipaddress
import re
import socket
import time
import unicodedata
from urllib.parse import urlencode, urlsplit

import requests
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings

from sites.oidc import backchannel

CAS = "{http://www.yale.edu/tp/cas}"
SAMLP = "{urn:oasis:names:tc:SAML:2.0:protocol}"
# CAS tickets are ASCII, at most 256 characters; ours fit the session link's 255-character column.
TICKET = re.compile(r"(ST|PT)-[A-Za-z0-9._-]{1,252}")
MAX_ANSWER_BYTES = 64 * 1024
# Set on a session the CAS server opened: our logout ends the server's too.
LOGIN_KEY = backchannel.CAS_LOGIN_KEY


class CasError(Exception):
    """The login could not be completed; ``reason`` goes to the audit log, never to the screen."""

    def __init__(self, reason, *, unavailable=False):
        super().__init__(reason)
        self.reason = reason
        self.unavailable = unavailable


def is_configured():
    return bool(settings.CMS_CAS_SERVER_URL)


def server_url():
    return settings.CMS_CAS_SERVER_URL.rstrip("/")


def issuer():
    """The namespace of the server's user names (``Identity.issuer``, ``ProviderSession.issuer``):
    ``cas:`` and its URL, never equal to an OpenID Connect issuer, whose subjects are other people."""
    return f"cas:{server_url()}"


def subject(user):
    """The person's stable name at the server: NFKC, and lower-cased unless ``CMS_CAS_USER_CASE`` is
    ``keep`` (CAS servers commonly match names without case and return them as typed: ``WangWu``
    and ``wangwu`` are one person, not two accounts)."""
    user = unicodedata.normalize("NFKC", user).strip()
    return user if settings.CMS_CAS_USER_CASE == "keep" else user.casefold()


def _endpoint(name):
    return f"{server_url()}/{name}"


def login_url(service):
    return f"{_endpoint('login')}?{urlencode({'service': service})}"


def logout_url(service):
    """The server's logout, which sends the browser on to ``service`` (our login page)."""
    return f"{_endpoint('logout')}?{urlencode({'service': service})}"


def is_ticket(value):
    return bool(value) and TICKET.fullmatch(value) is not None


def _parse(data):
    try:
        return ElementTree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        raise CasError(f"unreadable XML: {type(exc).__name__}") from exc


def validate(ticket, service):
    """(user, attributes) when the server says ``ticket`` was issued for ``service``; else CasError."""
    if not is_ticket(ticket):
        raise CasError("malformed ticket")
    try:
        response = requests.get(
            _endpoint("p3/serviceValidate"),
            params={"ticket": ticket, "service": service},
            timeout=settings.CMS_CAS_TIMEOUT,
            allow_redirects=False,
            stream=True,
        )
        data = response.raw.read(MAX_ANSWER_BYTES + 1, decode_content=True)
    except requests.RequestException as exc:
        raise CasError(f"validation unreachable: {type(exc).__name__}", unavailable=True) from exc
    if response.status_code != 200:
        raise CasError(f"validation answered HTTP {response.status_code}", unavailable=response.status_code >= 500)
    if len(data) > MAX_ANSWER_BYTES:
        raise CasError("validation answer too large")
    root = _parse(data)
    failure = root.find(f"{CAS}authenticationFailure")
    if failure is not None:
        raise CasError(f"ticket refused: {failure.get('code', '')}"[:200])
    success = root.find(f"{CAS}authenticationSuccess")
    user = (success.findtext(f"{CAS}user") or "").strip() if success is not None else ""
    if not user or len(user) > 255:
        raise CasError("no user in the validation answer")
    attributes = {}
    listed = success.find(f"{CAS}attributes")
    for element in listed if listed is not None else []:
        name = element.tag.rsplit("}", 1)[-1]
        attributes.setdefault(name, []).append((element.text or "").strip())
    return user, attributes


def _first(attributes, names):
    for name in names:
        for value in attributes.get(name, []):
            if value:
                return value
    return ""


def claims(user, attributes):
    """The CAS answer in the shape ``identities.user_for`` reads (an ID token's claim names)."""
    return {
        "sub": subject(user),
        "preferred_username": subject(user),
        "name": _first(attributes, settings.CMS_CAS_NAME_ATTRIBUTES),
        "email": _first(attributes, settings.CMS_CAS_EMAIL_ATTRIBUTES),
    }


def second_factor_asserted(attributes):
    """The server says the person passed a second factor: an ``authnContextClass`` the deployment
    trusts (``CMS_CAS_MFA_CONTEXTS``, none by default: our own TOTP step is asked)."""
    trusted = set(settings.CMS_CAS_MFA_CONTEXTS)
    return bool(trusted & set(attributes.get("authnContextClass", [])))


def session_index(logout_request):
    """The service ticket a single-logout request names (its ``SessionIndex``), or None."""
    if not logout_request or len(logout_request) > 16 * 1024:
        return None
    try:
        root = _parse(logout_request.encode())
    except CasError:
        return None
    index = (root.findtext(f"{SAMLP}SessionIndex") or "").strip()
    return index if is_ticket(index) else None


_resolved = {}  # host -> (addresses, when)
RESOLVE_SECONDS = 300


def _server_addresses():
    host = urlsplit(server_url()).hostname or ""
    cached = _resolved.get(host)
    if cached and time.monotonic() - cached[1] < RESOLVE_SECONDS:
        return cached[0]
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        addresses = set()
    _resolved[host] = (addresses, time.monotonic())
    return addresses


def logout_sender_allowed(address):
    """Whether a single-logout request from ``address`` is the server's: from an address or network of
    ``CMS_CAS_LOGOUT_FROM`` (``*``: any), or, when that is empty, from an address the server's host
    name resolves to. A logged service ticket (access logs keep query strings) is then of no use to
    anybody who can reach the callback but is not the server."""
    allowed = settings.CMS_CAS_LOGOUT_FROM
    if "*" in allowed:
        return True
    try:
        sender = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if not allowed:
        return str(sender) in _server_addresses()
    for entry in allowed:
        try:
            if sender in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False
