"""The test suite: real PostgreSQL (embedded or DATABASE_URL), fast password hashing."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR, env_list, redis_caches

SECRET_KEY = "test-only-not-secret"  # noqa: S105 - test settings only
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,.localhost,127.0.0.1,testserver")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Mail stays in the process (django.core.mail.outbox) whatever a test before changed; never SMTP.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Several test runs can share one server: CMS_TEST_DB gives each its own database.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("CMS_TEST_DB", "test_cms")}  # noqa: F405
MEDIA_ROOT = VAR_DIR / f"test-media-{DATABASES['default']['TEST']['NAME']}"  # noqa: F405
CSRF_TRUSTED_ORIGINS = ["http://*.localhost"]
CMS_INTERACTION_FILES = VAR_DIR / f"test-interaction-{DATABASES['default']['TEST']['NAME']}"  # noqa: F405
# Absolute URLs in tests are the plain hosts, whatever the shell running the suite exports.
CMS_PUBLIC_PORT = ""
CMS_PUBLIC_SCHEME = "http"
# bench/load.py publishes in its own process while gunicorn serves: both must purge one cache.
if os.environ.get("CMS_BENCH_REDIS_URL"):
    CACHES = redis_caches(os.environ["CMS_BENCH_REDIS_URL"])
# The login rules' second factor and password age are off for the suite's many force_login()
# users; tests/sites/test_mfa*.py and test_password_policy*.py turn them on. The session policy
# (idle timeout, absolute lifetime) and the password validators stay on.
CMS_MFA_ENFORCED = False
CMS_PASSWORD_POLICY_ENFORCED = False
# 统一身份认证 is off for the suite whatever the shell exports; tests/sites/test_oidc*.py and
# tests/browser/test_oidc_login.py point it at the provider they start.
CMS_OIDC_ISSUER = ""
CMS_OIDC_CLIENT_ID = ""
CMS_OIDC_CLIENT_SECRET = ""
CMS_CAS_SERVER_URL = ""
CMS_LOCAL_PASSWORD_LOGIN = True
# The cap on what anonymous requests write to the audit log counts per minute in a cache no test
# clears, and the suite's own failed logins all come from 127.0.0.1: tests/sites/test_audit_flood.py
# sets the caps it tests (with addresses of its own); elsewhere they stay out of the way.
CMS_AUDIT_ANONYMOUS_PER_ADDRESS = 1_000_000
CMS_AUDIT_ANONYMOUS_PER_WINDOW = 1_000_000
# Likewise the limit on logins started through an identity service (tests/sites/test_cas.py sets it).
CMS_LOGIN_START_RATE = 1_000_000
