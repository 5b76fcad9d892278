"""Writing to the append-only audit log."""

from django.db import connection

from .models import AuditEvent


def client_ip(request):
    """The client address; behind the reverse proxy, nginx puts it in X-Real-IP."""
    if request is None:
        return None
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None


def record(action, *, actor=None, tenant_code="", target="", request=None, **detail):
    """Append one event. ``actor`` may be a user or None (system, anonymous)."""
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
        detail=detail,
    )
