"""Search backends, named in settings like Wagtail's frontend-cache backends.

``CMS_SEARCH_BACKENDS = {name: {"BACKEND": dotted path, **options}}`` lists the backends kept up to
date; ``CMS_SEARCH_BACKEND`` names the one that answers readers. PostgreSQL is always available
(it lives in the catalogue's database and is written in the publishing transaction);
Elasticsearch is fed from the catalogue's outbox when it is configured.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

DEFAULT_BACKENDS = {"postgres": {"BACKEND": "search.backends.postgres.PostgresSearchBackend"}}

_lock = threading.Lock()
_instances: dict[tuple, object] = {}


def configured_backends():
    return getattr(settings, "CMS_SEARCH_BACKENDS", None) or DEFAULT_BACKENDS


def default_backend_name():
    return getattr(settings, "CMS_SEARCH_BACKEND", None) or "postgres"


def get_backend(name=None):
    """The backend instance called ``name`` (default: the one answering readers)."""
    name = name or default_backend_name()
    backends = configured_backends()
    if name not in backends:
        raise ImproperlyConfigured(f"搜索后端“{name}”未配置（CMS_SEARCH_BACKENDS 中没有它）")
    config = dict(backends[name])
    key = (name, repr(sorted(config.items())))
    with _lock:
        backend = _instances.get(key)
        if backend is None:
            path = config.pop("BACKEND")
            backend = import_string(path)(name=name, **{k.lower(): v for k, v in config.items()})
            _instances[key] = backend
    return backend
