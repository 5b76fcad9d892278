"""The strict refusal check every access test uses: lenient status checks hide real leaks."""

from urllib.parse import urlsplit


def is_refused(response, host):
    """A refusal: 403/404, or a redirect on the same host to the login page or the dashboard.

    A 302 elsewhere (another host, an open redirect, the page itself) is *not* a refusal.
    """
    if response.status_code in (403, 404):
        return True
    if response.status_code != 302:
        return False
    target = urlsplit(response["Location"])
    return target.netloc in ("", host) and target.path in ("/admin/login/", "/admin/")
