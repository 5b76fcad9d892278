"""Writing to the append-only audit log."""

from django.db import connection

from .client_ip import client_ip
from .models import AuditEvent

__all__ = ["client_ip", "record"]  # client_ip: callers that import it from here keep working


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
