"""Writing to the append-only audit log.

Every event says who (``actor``), where (the site), what (``action``, ``target``), from where (the
client's address through trusted proxies only, sites/client_ip.py, and its user agent) and how it
ended (``outcome``: 成功 / 失败 / 拒绝, given as ``result``), as 等保三级 asks of an audit record.

The log cannot be pruned for 180 days (the database refuses), so what anybody on the internet can
make it write is capped, per ``CMS_AUDIT_ANONYMOUS_WINDOW`` seconds:

* an event with no signed-in actor, written for a request (a failed login, a refused logout token
  or sign-on ticket), counts against ``CMS_AUDIT_ANONYMOUS_PER_ADDRESS`` per client address (an
  IPv6 address by its /64: one subscriber has billions) and ``CMS_AUDIT_ANONYMOUS_PER_WINDOW`` for
  all addresses together, whatever the action;
* the login steps of a known person (``LOGIN_STEPS``: a login, a wrong second-factor code) count
  against the same per-address number per person, so an account created by the identity service
  cannot loop logins into the log either.

Past a cap one ``audit_flood_suppressed`` row says so (with the action and which cap; a per-address
notice counts against the total too) and the rest of that window's events are counted, not
written. Everything else signed-in users do, and commands, is never capped.
"""

from django.conf import settings
from django.db import connection

from . import counters
from .client_ip import client_ip, client_key
from .models import AuditEvent, Outcome

__all__ = ["client_ip", "outcome_of", "record"]  # client_ip: callers that import it from here keep working

MAX_USER_AGENT = 300
# Actions whose name says how they ended, when the caller does not say it.
_DENIED_WORDS = ("refused", "blocked", "locked", "denied")
_FAILED_WORDS = ("failed", "failure")


def outcome_of(action):
    """The outcome an action's name implies: 拒绝 for a refusal, 失败 for a failure, else 成功."""
    if any(word in action for word in _DENIED_WORDS):
        return Outcome.DENIED
    if any(word in action for word in _FAILED_WORDS):
        return Outcome.FAILURE
    return Outcome.SUCCESS


def user_agent(request):
    if request is None:
        return ""
    return (request.META.get("HTTP_USER_AGENT") or "")[:MAX_USER_AGENT]


LOGIN_STEPS = frozenset({"login", "oidc_login", "cas_login", "mfa_code_failed"})


def _cap_verdict(request, actor_pk):
    """ "write", "drop", or the cap whose notice this event becomes ("address", "person" or "all")."""
    window = settings.CMS_AUDIT_ANONYMOUS_WINDOW
    per_source, total = settings.CMS_AUDIT_ANONYMOUS_PER_ADDRESS, settings.CMS_AUDIT_ANONYMOUS_PER_WINDOW
    source = f"user:{actor_pk}" if actor_pk else f"addr:{client_key(request)}"
    verdict = "write"
    if per_source > 0:
        count, _ = counters.count(f"audit:cap:{source}", window)
        if count > per_source:
            if count != per_source + 1:
                return "drop"
            verdict = "person" if actor_pk else "address"
    if total > 0 and not actor_pk:
        count, _ = counters.count("audit:cap:anonymous", window)
        if count > total:
            return "all" if count == total + 1 else "drop"
    return verdict


def record(action, *, actor=None, tenant_code="", target="", request=None, result=None, **detail):
    """Append one event. ``actor`` may be a user or None (system, anonymous); ``result`` an Outcome
    (default: what the action's name implies, ``outcome_of``). ``detail`` is kept as JSON (an
    ``outcome`` there is the caller's own, e.g. how an application was answered).

    Returns the event, or None for an anonymous request's event past its cap (see above)."""
    actor_pk = getattr(actor, "pk", None) if actor is not None else None
    if request is not None and (not actor_pk or action in LOGIN_STEPS):
        verdict = _cap_verdict(request, actor_pk)
        if verdict == "drop":
            return None
        if verdict != "write":
            limit = (
                settings.CMS_AUDIT_ANONYMOUS_PER_ADDRESS
                if verdict in ("address", "person")
                else settings.CMS_AUDIT_ANONYMOUS_PER_WINDOW
            )
            action, target, result = "audit_flood_suppressed", action, Outcome.DENIED
            detail = {"scope": verdict, "limit": limit, "window_seconds": settings.CMS_AUDIT_ANONYMOUS_WINDOW}
    if not tenant_code and connection.schema_name not in ("public", ""):
        tenant = getattr(connection, "tenant", None)
        tenant_code = getattr(tenant, "code", "") or ""
    username = ""
    if actor is not None and getattr(actor, "pk", None):
        username = actor.get_username()
    else:
        actor = None
        username = detail.pop("username", "") or ""
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_username=username,
        tenant_code=tenant_code,
        target=str(target)[:200],
        ip_address=client_ip(request),
        user_agent=user_agent(request),
        outcome=Outcome(result) if result else outcome_of(action),
        detail=detail,
    )
