"""Production: every required value comes from the environment, and a missing one stops start-up."""

import ipaddress
import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_list, redis_caches


def required(name):
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set in production.")
    return value


SECRET_KEY = required("SECRET_KEY")
required("DATABASE_URL")
# Connections are kept between requests (checked before reuse, so a database restart heals
# itself); CMS_CONN_MAX_AGE=0 opens one per request, e.g. behind a transaction-mode pgbouncer.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CMS_CONN_MAX_AGE", "60"))  # noqa: F405
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or required("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "SAMEORIGIN"
# Production runs behind the shipped nginx, which sends document files from its internal location;
# CMS_DOCUMENTS_ACCEL_REDIRECT= (empty) makes Django stream them when nothing like it is in front.
CMS_DOCUMENTS_ACCEL_REDIRECT = os.environ.get("CMS_DOCUMENTS_ACCEL_REDIRECT", "/_documents/")
# CMS_TRUSTED_PROXIES (base.py): the address nginx connects from, e.g. 127.0.0.1 on the same machine,
# or the compose network's nginx address. Unset, every client shares nginx's address for the
# lockout and the search rate limit; too wide (a whole client network), clients can forge theirs.
for _proxy in CMS_TRUSTED_PROXIES:  # noqa: F405
    if _proxy.lower() != "unix":
        try:
            ipaddress.ip_network(_proxy, strict=False)
        except ValueError as _error:
            raise ImproperlyConfigured(f"CMS_TRUSTED_PROXIES 中的“{_proxy}”不是 IP 地址或网段。") from _error
if not os.environ.get("REDIS_URL") and "CMS_PAGE_CACHE_SECONDS" not in os.environ:
    # Without a shared cache each gunicorn worker keeps its own copy, and a publish purges only
    # the worker that handled it: cache no pages rather than serve stale ones.
    CMS_PAGE_CACHE_SECONDS = 0
if os.environ.get("REDIS_URL"):
    CACHES = redis_caches(os.environ["REDIS_URL"])
    # Each process keeps copies of the pages it served and rechecks each site's generation in
    # the shared cache after CMS_PAGE_CACHE_RECHECK seconds (publishing/pagecache.py).
    CMS_PAGE_CACHE_LOCAL_BYTES = int(os.environ.get("CMS_PAGE_CACHE_LOCAL_BYTES", 32 * 1024 * 1024))
    CMS_PAGE_CACHE_RECHECK = float(os.environ.get("CMS_PAGE_CACHE_RECHECK", "1"))
