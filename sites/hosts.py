"""The cluster's hosts, and the absolute address of any site as readers reach it.

Two questions every public page asks, answered in one place:

- **Does a link leave the cluster?** (47号: a notice before leaving for an external site.) A link
  to any host in ``sites.Domain`` (or the cluster's own host) stays inside: the portal's 部门动态
  and the cross-site search results link to other sites of the cluster and must not raise the
  "即将离开本站" notice. The host is read the way a browser reads it (backslashes are slashes,
  ``http:host`` and ``http:///host`` name ``host``, user info before ``@`` is not the host), and it
  must equal a cluster host exactly: ``jtj.localhost.evil.com`` is not ``jtj.localhost``.
- **What is the absolute URL of a page of another site?** Its site's primary host now, with the
  scheme and port the cluster is served on: the request's when there is one (``make run PORT=8100``,
  TLS at the proxy), else ``CMS_PUBLIC_SCHEME`` / ``CMS_PUBLIC_PORT``. Stored addresses (catalogue
  rows, Wagtail's Site records) give only the path: ``relocate()`` puts it on the current origin,
  so a port or host change needs no re-indexing.

Both lists are built from the domain rows once and dropped with the host → site map
(``sites.middleware.derived_from_map``): at once in the process that changed a domain, within
``CMS_SITE_MAP_RECHECK`` seconds in every other.
"""

import re
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http.request import split_domain_port

from .middleware import derived_from_map
from .models import Domain, SiteKind, Tenant

# Browsers drop ASCII tab and newlines anywhere in a URL, and leading/trailing C0 controls and spaces.
_IGNORED = re.compile(r"[\t\n\r]")
_EDGES = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
WEB_SCHEMES = ("http", "https")
# A host no cluster host can equal: what an unreadable link is counted as (external).
UNREADABLE = "\x00unreadable"


def cluster_hosts():
    """Every public host of every site (primary and aliases) and the cluster's own host, lower case.

    Admin-only hosts are left out: the list is printed in every public page, and an intranet
    admin host (内网采编) is nobody's business outside; a link to one simply asks first.
    """

    def build():
        rows = Domain.objects.filter(is_admin_host=False).values_list("domain", flat=True)
        hosts = {host.lower().rstrip(".") for host in rows}
        hosts.update(
            host.lower() for host in (settings.CMS_CLUSTER_HOST, getattr(settings, "CMS_SSO_HOST", "")) if host
        )
        return frozenset(hosts)

    return derived_from_map("cluster_hosts", build)


def primary_hosts():
    """``{tenant id: primary public host}`` for every site that has one."""

    def build():
        return dict(Domain.objects.filter(is_primary=True, is_admin_host=False).values_list("tenant_id", "domain"))

    return derived_from_map("primary_hosts", build)


def link_host(href):
    """The host a link goes to, as a browser reads it, lower case; None when it names no host.

    None for relative links and for non-web schemes (mailto:, tel:); ``UNREADABLE`` for a web link
    whose host cannot be parsed, so that it counts as external.
    """
    text = _IGNORED.sub("", _EDGES.sub("", href or ""))
    text = text.replace("\\", "/")
    match = _SCHEME.match(text)
    if match:
        scheme = match.group(1).lower()
        if scheme not in WEB_SCHEMES:
            return None
        # http:host, http:/host and http:///host all name "host" (the WHATWG URL parser), at least
        # when the page itself is on the other scheme: count them as naming a host.
        text = f"{scheme}://{text[match.end() :].lstrip('/')}"
    elif not text.startswith("//"):
        return None
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return UNREADABLE
    if not host:
        return UNREADABLE
    return host.rstrip(".")


def leaves_cluster(href):
    """True when following ``href`` leaves the cluster (the leaving-the-site notice is due)."""
    host = link_host(href)
    return host is not None and host not in cluster_hosts()


def public_origin(host, request=None):
    """``scheme://host[:port]`` as readers reach the cluster (every site is served by the same front).

    With a request: the port its Host header names (``make run PORT=8100``), else
    ``CMS_PUBLIC_PORT`` (a proxy that passes ``$host`` drops the port); HTTPS if the request came
    by HTTPS (``SECURE_PROXY_SSL_HEADER``) or ``CMS_PUBLIC_SCHEME`` says so. Without one (commands,
    mail, the catalogue row written at publish): ``CMS_PUBLIC_SCHEME`` and ``CMS_PUBLIC_PORT``.
    """
    scheme = getattr(settings, "CMS_PUBLIC_SCHEME", "") or "http"
    port = str(getattr(settings, "CMS_PUBLIC_PORT", "") or "")
    if request is not None:
        if request.is_secure():
            scheme = "https"
        port = split_domain_port(request.get_host())[1] or port
    default_port = "443" if scheme == "https" else "80"
    return f"{scheme}://{host}{f':{port}' if port and port != default_port else ''}"


def site_url(tenant, path="/", request=None):
    """The absolute URL of ``path`` on ``tenant`` (a Tenant or its id) at its primary host; "" if it has none."""
    tenant_id = getattr(tenant, "pk", tenant)
    host = primary_hosts().get(tenant_id)
    if not host:
        return ""
    if not path.startswith("/"):
        path = "/" + path
    return public_origin(host, request) + path


def relocate(url, tenant, request=None):
    """A stored absolute URL of a page of ``tenant``, on the site's current host, scheme and port.

    Only the path, query and fragment of ``url`` are kept: catalogue rows and Wagtail's Site
    records keep whatever origin was current when they were written.
    """
    if not url:
        return ""
    parts = urlsplit(url)
    path = urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
    return site_url(tenant, path, request) or url


# 网站群导航: the kinds of site as readers look for them, in this order.
DIRECTORY_GROUPS = (
    ("portal", "门户网站", (SiteKind.PORTAL,)),
    ("department", "部门网站", (SiteKind.DEPARTMENT,)),
    ("county", "县区网站", (SiteKind.COUNTY, SiteKind.DISTRICT)),
    ("topic", "专题网站", (SiteKind.TOPIC,)),
)


def directory(parent=None):
    """The open sites of the cluster by kind, for 网站群导航: ``[{"key", "label", "sites": [{"id",
    "name", "host", "kind"}]}]``, empty groups left out.

    Only sites that are running (``Tenant.objects.serving()``): not the template, not an archived
    site, and not a suspended one either (it shows a maintenance notice; the portal's aggregation
    drops it too). ``parent``: only the sites directly below that site (a portal's own departments
    and counties).
    """
    parent_id = getattr(parent, "pk", parent)

    def build():
        sites = Tenant.objects.serving().order_by("id")
        if parent_id is not None:
            sites = sites.filter(parent_id=parent_id)
        rows = list(sites.values("id", "name", "kind"))
        primary = primary_hosts()
        groups = []
        for key, label, kinds in DIRECTORY_GROUPS:
            members = [
                {**row, "host": primary[row["id"]]} for row in rows if row["kind"] in kinds and row["id"] in primary
            ]
            if members:
                groups.append({"key": key, "label": label, "sites": members})
        return groups

    return derived_from_map(f"directory:{parent_id}", build)
