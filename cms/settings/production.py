"""Production: every required value comes from the environment, and a missing or unsafe one stops
start-up before anything else happens."""

import ipaddress
import os

from django.core.exceptions import ImproperlyConfigured


def required(name):
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"生产环境必须设置环境变量 {name}。")
    return value


# Checked before base is imported: without DATABASE_URL, base.database_config() starts the embedded
# PostgreSQL in the app's own directory, which production must never run on.
required("DATABASE_URL")

from .base import *  # noqa: E402, F403
from .base import env_list, redis_caches  # noqa: E402

# Keys that are published (docker/.env.example, the dev and test settings, the image build) sign
# nothing: anyone could forge sessions, password-reset links and sign-on tickets with them.
PUBLISHED_SECRET_KEYS = {
    "change-me-to-a-long-random-string",
    "dev-only-not-secret",
    "test-only-not-secret",
    "build-only",
}
MIN_SECRET_KEY_LENGTH = 50  # Django's own deployment check (security.W009) asks the same
KEY_HINT = '生成方法：python -c "import secrets; print(secrets.token_urlsafe(50))"'


def secret_key():
    key = required("SECRET_KEY")
    lowered = key.lower()
    if (
        key in PUBLISHED_SECRET_KEYS
        or "change-me" in lowered
        or "changeme" in lowered
        or key.startswith("django-insecure-")
    ):
        raise ImproperlyConfigured("SECRET_KEY 是示例中的占位值，不能用于生产环境：请生成一个随机密钥。" + KEY_HINT)
    if len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5:
        raise ImproperlyConfigured(
            f"SECRET_KEY 太短或太简单：至少 {MIN_SECRET_KEY_LENGTH} 个字符，且不少于 5 种不同字符。" + KEY_HINT
        )
    return key


def allowed_hosts():
    """The cluster's hosts; ``*`` would let any Host header through (poisoned reset and absolute URLs)."""
    hosts = env_list("ALLOWED_HOSTS")
    if not hosts:
        raise ImproperlyConfigured("生产环境必须设置环境变量 ALLOWED_HOSTS。")
    if any("*" in host for host in hosts):
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS 不能含“*”：请列出站群的域名，如 .city.gov.cn,.qhx.gov.cn（前导点表示该域名及其所有子域名）。"
        )
    return hosts


def int_env(name, default):
    value = os.environ.get(name, "").strip() or str(default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"环境变量 {name} 应为整数，现为 {value!r}。") from None


SECRET_KEY = secret_key()
# Connections are kept between requests (checked before reuse, so a database restart heals
# itself); CMS_CONN_MAX_AGE=0 opens one per request, e.g. behind a transaction-mode pgbouncer.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CMS_CONN_MAX_AGE", "60"))  # noqa: F405
ALLOWED_HOSTS = allowed_hosts()
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "SAMEORIGIN"
# HSTS: a browser that reached a site over HTTPS refuses plain HTTP to it for this long (sent on
# HTTPS requests only; nginx says which through X-Forwarded-Proto). CMS_HSTS_SECONDS=0 turns it off,
# e.g. while a new host's certificate is not yet in place. Subdomains and preloading only on request:
# they bind every host below the site's, and a city's other services may not all be HTTPS yet.
SECURE_HSTS_SECONDS = int_env("CMS_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("CMS_HSTS_INCLUDE_SUBDOMAINS") == "1"
SECURE_HSTS_PRELOAD = os.environ.get("CMS_HSTS_PRELOAD") == "1"
# The demo cluster's accounts have a published password (README): never in production.
CMS_DEMO_ENABLED = False


# Citizens' personal data: a key of the deployment's own, never one derived from another secret.
def personal_data_keys():
    from cryptography.fernet import Fernet

    keys = [required("CMS_PERSONAL_DATA_KEYS")] + env_list("CMS_PERSONAL_DATA_OLD_KEYS")
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                "CMS_PERSONAL_DATA_KEYS 不是有效的 Fernet 密钥。生成方法："
                'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
            ) from None
    return keys


CMS_PERSONAL_DATA_KEYS = personal_data_keys()


# Backups are signed with CMS_BACKUP_SIGNING_KEY when it is set (then it must be a real key), else
# with a key derived from SECRET_KEY, which is checked above: never with a weak or example value.
def backup_signing_key():
    key = os.environ.get("CMS_BACKUP_SIGNING_KEY", "")
    if key and (len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5 or key in PUBLISHED_SECRET_KEYS):
        raise ImproperlyConfigured(
            f"CMS_BACKUP_SIGNING_KEY 太短、太简单或是示例值：至少 {MIN_SECRET_KEY_LENGTH} 个字符。" + KEY_HINT
        )
    return key


CMS_BACKUP_SIGNING_KEY = backup_signing_key()
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
    # the shared cache after CMS_PAGE_CACHE_RECHECK seconds (serving/pagecache.py).
    CMS_PAGE_CACHE_LOCAL_BYTES = int(os.environ.get("CMS_PAGE_CACHE_LOCAL_BYTES", 32 * 1024 * 1024))
    CMS_PAGE_CACHE_RECHECK = float(os.environ.get("CMS_PAGE_CACHE_RECHECK", "1"))
# 等保三级: the second factor and the password age are never off in production (the test settings
# turn them off for the suite only); which roles need a second factor stays configurable.
CMS_MFA_ENFORCED = True
CMS_PASSWORD_POLICY_ENFORCED = True
