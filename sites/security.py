"""Security headers on every answer of every host: Content-Security-Policy and its companions.

Three policies, written in settings (``CMS_CSP_PUBLIC``, ``CMS_CSP_ADMIN``, ``CMS_CSP_SVG``):

* public pages, the JSON API, the sign-on hops and error pages: nothing inline may run or style
  the page. The themes keep every script and style in static files (the design tokens in a
  per-theme stylesheet, ``themes/tokens.py``), so the policy needs neither nonces nor hashes and
  is the same for a page rendered now, one replayed from the page cache and one written to the
  static output that nginx serves (docker/nginx/cluster.conf sends the same string);
* the Wagtail admin, which needs inline scripts and styles (see the settings), with the sign-on
  hub added to ``form-action``: the login form's answer redirects there (``sites/sso.py``);
* an SVG file served by Django: sandboxed, so a drawing opened on its own cannot run a script.

The middleware is listed twice (cms/settings/base.py): outermost, for the answers given before a
site is chosen (an unknown host, a closed site), and inside the page cache, so that a cached entry,
which cms.wsgi replays without entering Django, carries the headers too. A header already set (by
the inner pass, or by a view with a stricter policy, like Wagtail's document view) is kept.
"""

from urllib.parse import urlsplit

from django.conf import settings

from . import sso

CSP_HEADER = "Content-Security-Policy"
ADMIN_PREFIX = "/admin/"


def render_policy(directives):
    """``{"default-src": ["'self'"], …}`` as the header value ``default-src 'self'; …``."""
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


def public_policy():
    return render_policy(settings.CMS_CSP_PUBLIC)


def admin_policy(request):
    directives = {name: list(sources) for name, sources in settings.CMS_CSP_ADMIN.items()}
    form_action = directives.setdefault("form-action", ["'self'"])
    form_action.append(sso.origin(request, sso.sso_host()))  # the hub, as this browser reaches it
    # The logout form's answer redirects to the identity service's logout (sites/oidc/, sites/cas/).
    for service, logout in (
        (settings.CMS_OIDC_ISSUER, settings.CMS_OIDC_LOGOUT),
        (settings.CMS_CAS_SERVER_URL, settings.CMS_CAS_LOGOUT),
    ):
        if service and logout:
            parts = urlsplit(service)
            form_action.append(f"{parts.scheme}://{parts.netloc}")
    return render_policy(directives)


def policy_for(request, response):
    if response.get("Content-Type", "").startswith("image/svg+xml"):
        return render_policy(settings.CMS_CSP_SVG)
    if request.path_info.startswith(ADMIN_PREFIX):
        return admin_policy(request)
    return public_policy()


def add_security_headers(request, response):
    if CSP_HEADER not in response:
        response[CSP_HEADER] = policy_for(request, response)
    # Django's SecurityMiddleware and XFrameOptionsMiddleware set these inside the stack; an
    # answer made before them (outermost pass) gets the same values here.
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if not getattr(response, "xframe_options_exempt", False):
        response.headers.setdefault("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY"))
    if settings.SECURE_REFERRER_POLICY:
        response.headers.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY)
    return response


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return add_security_headers(request, self.get_response(request))
