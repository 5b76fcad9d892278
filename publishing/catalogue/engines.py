"""Engines fed from the outbox, and the worker loop that drains it.

An engine is any class with a ``name`` and ``apply(event, entry)``: make yourself match the
catalogue for (event.tenant_code, event.page_id); ``entry`` is the current row, or None when the
item is no longer live. Engines are named in ``settings.CMS_OUTBOX_ENGINES`` (name → dotted path),
like Wagtail's frontend-cache backends. ``apply`` must be idempotent: events may be retried, and
several events of one item are coalesced into one call.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import CatalogueEntry, OutboxEvent
from .services import backoff

logger = logging.getLogger(__name__)


class OutboxEngine:
    name = ""

    def apply(self, event, entry):
        raise NotImplementedError


_engines: dict[str, OutboxEngine] = {}


def get_engine(name):
    if name not in _engines:
        path = settings.CMS_OUTBOX_ENGINES[name]
        engine = import_string(path)()
        engine.name = name
        _engines[name] = engine
    return _engines[name]


def drain(engines=None, limit=200, now=None):
    """Apply due events once; returns (applied, failed) counts. Safe with several workers."""
    now = now or timezone.now()
    names = list(engines or getattr(settings, "CMS_OUTBOX_ENGINES", {}))
    applied = failed = 0
    with transaction.atomic():
        due = list(
            OutboxEvent.objects.pending()
            .filter(engine__in=names, next_attempt_at__lte=now)
            .order_by("id")
            .select_for_update(skip_locked=True)[:limit]
        )
        groups = defaultdict(list)
        for event in due:
            groups[(event.engine, event.tenant_code, event.page_id)].append(event)
        for (engine_name, code, page_id), events in groups.items():
            entry = CatalogueEntry.objects.filter(tenant__code=code, page_id=page_id).select_related("tenant").first()
            try:
                with transaction.atomic():
                    get_engine(engine_name).apply(events[-1], entry)
            except Exception as exc:  # noqa: BLE001 - any engine failure is retried later
                failed += len(events)
                logger.warning("outbox: %s failed for %s/%s: %s", engine_name, code, page_id, exc)
                for event in events:
                    event.attempts += 1
                    event.next_attempt_at = now + backoff(event.attempts)
                    event.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
            else:
                applied += len(events)
                for event in events:
                    event.done_at = now
            OutboxEvent.objects.bulk_update(events, ["attempts", "next_attempt_at", "last_error", "done_at"])
    return applied, failed
