"""Writing to the append-only audit log.

Every event says who (``actor``), where (the site), what (``action``, ``target``), from where (the
client's address through trusted proxies only, sites/client_ip.py, and its user agent) and how it
ended (``outcome``: 成功 / 失败 / 拒绝, given as ``result``), as 等保三级 asks of an audit record.
"""

from django.db import connection

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


def record(action, *, actor=None, tenant_code="", target="", request=None, result=None, **detail):
    """Append one event. ``actor`` may be a user or None (system, anonymous); ``result`` an Outcome
    (default: what the action's name implies, ``outcome_of``). ``detail`` is kept as JSON (an
    ``outcome`` there is the caller's own, e.g. how an application was answered)."""
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
