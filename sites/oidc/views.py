"""统一身份认证: the login's two hops, the no-role page, and our logout ending the provider's session.

The callback lands on the site host where the login started (every host's callback URL is
registered at the provider: ``manage.py oidc_redirect_uris``). From there the login goes on
exactly as a password login does: ``complete_login`` (sites/policy/login_flow.py) logs in or
asks for the second factor, and the session is handed to the sign-on hub the way
``SingleSignOnMiddleware`` hands over a password login (sites/sso.py), so every other host
joins it.
"""

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from wagtail.admin.views.account import LogoutView as WagtailLogoutView

from sites import audit, sso
from sites.cas import client as cas_client

from . import backchannel, client, identities, signin

# The ID token of the login, for the provider's logout (id_token_hint) when we log out.
ID_TOKEN_KEY = backchannel.OIDC_ID_TOKEN_KEY
NEXT_KEY = "cms_oidc_next"


def _failure(request, reason, *, status=400, message=None):
    return signin.failure(
        request, "oidc_login_failed", issuer=settings.CMS_OIDC_ISSUER, reason=reason, status=status, message=message
    )


@never_cache
def start(request):
    """The button: off to the provider's login, with state, nonce and a PKCE challenge."""
    if not client.is_configured():
        raise Http404
    if (refused := signin.too_many_starts(request)) is not None:
        return refused
    request.session[NEXT_KEY] = signin.next_path(request, request.GET.get("next", ""))
    try:
        return client.authorize_redirect(request, request.build_absolute_uri(reverse("oidc_callback")))
    except client.OidcError as exc:
        return _failure(request, exc.reason, status=502, message=signin.UNAVAILABLE)


@never_cache
def callback(request):
    """The provider's answer: checked, exchanged, matched to a user, and logged in as a password login is."""
    if not client.is_configured():
        raise Http404
    try:
        claims, id_token = client.finish(request)
    except client.OidcError as exc:
        return _failure(request, exc.reason)
    issuer = settings.CMS_OIDC_ISSUER.rstrip("/")
    user, created = identities.user_for(issuer, claims)
    if not user.is_active:
        return _failure(request, "inactive user", status=403, message="该账号已停用，请联系网站办。")
    next_url = request.session.pop(NEXT_KEY, sso.DEFAULT_NEXT)
    return signin.sign_in(
        request,
        user,
        action="oidc_login",
        issuer=issuer,
        subject=str(claims["sub"]),
        sid=claims.get("sid"),
        asserted=identities.second_factor_asserted(claims),
        next_url=next_url,
        session_values={ID_TOKEN_KEY: id_token},
        created=created,
        amr=claims.get("amr") or [],
    )
    response = HttpResponseRedirect(next_url)
    if connection.schema_name != settings.PUBLIC_SCHEMA_NAME and request.session.session_key:
        # A GET, so SingleSignOnMiddleware does not see it: hand the session to the hub the same way.
        sso.SingleSignOnMiddleware.pass_login_to_hub(request, response)
    return response


def _refused(request, reason):
    audit.record(
        "oidc_backchannel_logout_refused", request=request, target=settings.CMS_OIDC_ISSUER, reason=reason[:200]
    )
    # The spec's answer to a bad token; the reason stays in the audit log.
    return JsonResponse({"error": "invalid_request", "error_description": "logout token refused"}, status=400)


@csrf_exempt  # the provider's server calls it, with no cookie and no CSRF token; the signed token is the proof
@never_cache
@require_POST
def backchannel_logout(request):
    """OpenID Connect Back-Channel Logout: the provider's logout ends our sessions (backchannel.py).

    Only on the sign-on hub (cms/urls_public.py): the one URI registered with the provider.
    """
    if not client.is_configured() or connection.schema_name != settings.PUBLIC_SCHEMA_NAME:
        raise Http404
    tokens = request.POST.getlist("logout_token")
    if len(tokens) != 1:
        return _refused(request, "not exactly one logout_token")
    try:
        claims = backchannel.verify(tokens[0])
        backchannel.spend(claims)
    except backchannel.LogoutTokenError as exc:
        return _refused(request, exc.reason)
    ended = backchannel.end_sessions(claims)
    detail = {
        "issuer": settings.CMS_OIDC_ISSUER.rstrip("/"),
        "subject": str(claims.get("sub") or ""),
        "by": "sid" if claims.get("sid") else "sub",
    }
    users = {row.user_id: row.user for row in ended}
    for user in users.values():
        sessions = sum(1 for row in ended if row.user_id == user.pk)
        audit.record(
            "oidc_backchannel_logout",
            actor=user,
            request=request,
            target=user.get_username(),
            sessions=sessions,
            **detail,
        )
    if not users:
        audit.record("oidc_backchannel_logout", request=request, target=detail["subject"], sessions=0, **detail)
    return JsonResponse({})


@never_cache
def no_role(request):
    """Signed in through the provider, but no role here: say so, and whom to ask."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("wagtailadmin_login"))
    sites = [
        {"name": tenant.name, "url": sso.origin(request, domain) + "/admin/"}
        for tenant in identities.sites_with_roles(request.user)
        if (domain := tenant.domains.filter(is_primary=True).values_list("domain", flat=True).first())
    ]
    context = {"has_any_role": identities.has_any_role(request.user), "sites": sites}
    return render(request, "sites_oidc/no_role.html", context)


class LogoutView(WagtailLogoutView):
    """Wagtail's logout (POST only: sites/views.py), then the provider's: RP-initiated logout.

    Ending only our session would leave the person signed in at the provider, and the next click
    on 统一身份认证登录 would sign them in again without a password; so a session opened by the
    provider is ended there too (its end-session endpoint, with the ID token as the hint), and
    the provider sends the browser back to this host's login page.
    """

    def dispatch(self, request, *args, **kwargs):
        id_token = request.session.get(ID_TOKEN_KEY) if request.method == "POST" else None
        by_cas = bool(request.session.get(cas_client.LOGIN_KEY)) if request.method == "POST" else False
        user = request.user if request.user.is_authenticated else None
        response = super().dispatch(request, *args, **kwargs)
        if by_cas and settings.CMS_CAS_LOGOUT and cas_client.is_configured() and response.status_code in (301, 302):
            audit.record(
                "cas_logout",
                actor=user,
                request=request,
                target=user.get_username() if user else "",
                issuer=cas_client.issuer(),
            )
            response["Location"] = cas_client.logout_url(request.build_absolute_uri(reverse("wagtailadmin_login")))
            return response
        if id_token and settings.CMS_OIDC_LOGOUT and client.is_configured() and response.status_code in (301, 302):
            url = client.logout_url(id_token, request.build_absolute_uri(reverse("wagtailadmin_login")))
            if url:
                audit.record(
                    "oidc_logout",
                    actor=user,
                    request=request,
                    target=user.get_username() if user else "",
                    issuer=settings.CMS_OIDC_ISSUER,
                )
                response["Location"] = url
        return response


logout = LogoutView.as_view()
