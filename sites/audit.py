"""Writing to the append-only audit log.

Every event says who (``actor``), where (the site), what (``action``, ``target``), from where (the
client's address through trusted proxies only, sites/client_ip.py, and its user agent) and how it
ended (``outcome``: 成功 / 失败 / 拒绝, given as ``result``), as 等保三级 asks of an audit record.

The log cannot be pruned for 180 days (the database refuses), so what anybody on the internet can
make it write is capped: an event with no signed-in actor, written for a request (a failed login, a
refused logout token or sign-on ticket), counts against ``CMS_AUDIT_ANONYMOUS_PER_ADDRESS`` per
client address and ``CMS_AUDIT_ANONYMOUS_PER_WINDOW`` in all, per action and per
``CMS_AUDIT_ANONYMOUS_WINDOW`` seconds. Past a cap one ``audit_flood_suppressed`` row says so (with
the action and which cap) and the rest of that window's events are counted, not written. Events of
signed-in users and of commands are never capped.
"""

from django.conf import settings
from django.db import connection

from . import counters
from .client_ip import client_ip
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


def _over_anonymous_cap(action, request):
    """None when an anonymous event may be written; else the cap it passed ("address" or "all")
    and whether this is the first event past it in the window (the one that writes the notice)."""
    window = settings.CMS_AUDIT_ANONYMOUS_WINDOW
    address = client_ip(request) or "unknown"
    caps = (
        ("address", f"audit:anon:{action}:{address}", settings.CMS_AUDIT_ANONYMOUS_PER_ADDRESS),
        ("all", f"audit:anon:{action}", settings.CMS_AUDIT_ANONYMOUS_PER_WINDOW),
    )
    for scope, key, limit in caps:
        if limit <= 0:
            continue
        count, _ = counters.count(key, window)
        if count > limit:
            return scope, count == limit + 1
    return None


def record(action, *, actor=None, tenant_code="", target="", request=None, result=None, **detail):
    """Append one event. ``actor`` may be a user or None (system, anonymous); ``result`` an Outcome
    (default: what the action's name implies, ``outcome_of``). ``detail`` is kept as JSON (an
    ``outcome`` there is the caller's own, e.g. how an application was answered).

    Returns the event, or None for an anonymous request's event past its cap (see above)."""
    signed_in = actor is not None and getattr(actor, "pk", None)
    if request is not None and not signed_in:
        over = _over_anonymous_cap(action, request)
        if over is not None:
            scope, first = over
            if not first:
                return None
            limit = (
                settings.CMS_AUDIT_ANONYMOUS_PER_ADDRESS
                if scope == "address"
                else settings.CMS_AUDIT_ANONYMOUS_PER_WINDOW
            )
            action, target, result = "audit_flood_suppressed", action, Outcome.DENIED
            detail = {"scope": scope, "limit": limit, "window_seconds": settings.CMS_AUDIT_ANONYMOUS_WINDOW}
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
