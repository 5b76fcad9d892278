"""Settings shared by every environment. Values that differ come from the environment."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("CMS_VAR_DIR", BASE_DIR / "var"))


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_config():
    """DATABASE_URL when set (production, CI, a developer's own server), else the embedded one."""
    url = os.environ.get("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=int(os.environ.get("CMS_CONN_MAX_AGE", "0")))
    else:
        from cms.embedded_db import database_settings

        config = database_settings()
    # django-tenants' backend (search_path per site), keeping the content-type cache (cms/db/base.py).
    config["ENGINE"] = "cms.db"
    # A connection kept across requests is checked first: after a database restart the app
    # recovers by itself instead of failing on a dead connection.
    config["CONN_HEALTH_CHECKS"] = True
    config.setdefault("TEST", {})
    return config


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

# --- Apps: the shared/tenant split (see docs/architecture.md) ---------------------------------
# contenttypes, auth, the user model, wagtail.users and sessions live in the public schema only:
# having contenttypes or auth in both lists breaks permissions. Every wagtail* app and taggit
# live in each site's schema only.
SHARED_APPS = [
    "django_tenants",
    "sites",
    "publishing.confidentiality",
    "themes",
    "publishing.catalogue",
    "publishing.syndication",
    "publishing.importing",
    "search",
    # 互动交流 and 依申请公开: messages, applications and their clocks belong to one site each but
    # live in the public schema, so 转办 between sites and the web office's overview are one query.
    "interaction",
    # 监管: checks, scores and alarms of every site (public schema: one query over the cluster).
    "supervision.checks",
    "supervision.crawler",
    "supervision.traffic",
    "supervision.reports",
    # The page cache and its WSGI front: no models; its ready() wires every purge receiver.
    "serving",
    # The demo cluster and seed_demo (no models).
    "demo",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # No models: its catalogue translates the "3 minutes ago" that Wagtail's admin writes with naturaltime.
    "django.contrib.humanize",
    "wagtail.users",
    # 等保三级 login rules (sites/policy/): second factor, password and session policy.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "sites.policy",
    # 统一身份认证 (sites/oidc/): OpenID Connect login, identities linked by issuer and subject.
    "sites.oidc",
]
TENANT_APPS = [
    "cms",
    # The review chain's steps, scan reports and 保密审查单: site data, in the site's schema.
    "publishing.review",
    # The public side of 互动交流 that is content: published answers, consultations, questionnaires.
    "interaction.pages",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    # Not "wagtail.sites": its 设置 › 站点 screen edits hostname/port/root page, but here a site is a
    # tenant; the web office's console (sites/console/) replaces it and answers its URL name.
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "sites.Tenant"
TENANT_DOMAIN_MODEL = "sites.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "cms.urls_public"
# The template schema every new site is copied from; a real tenant, migrated on every deploy.
CMS_TEMPLATE_SCHEMA = "site_template"
# How readers reach the sites: absolute URLs (Wagtail Site records, the directory page) use these.
CMS_PUBLIC_SCHEME = os.environ.get("CMS_PUBLIC_SCHEME", "http")
CMS_PUBLIC_PORT = os.environ.get("CMS_PUBLIC_PORT", "")
# DEBUG on (cms.settings.dev): visitors still see the themed Chinese 404/500, while a signed-in
# developer and the admin keep Django's debug pages; CMS_THEMED_ERRORS=0 shows those to everyone.
CMS_THEMED_ERRORS = os.environ.get("CMS_THEMED_ERRORS", "1") != "0"
# The host of the public schema: a directory of the cluster's sites, no Wagtail screens.
CMS_CLUSTER_HOST = os.environ.get("CMS_CLUSTER_HOST", "cluster.localhost")
TENANT_LIMIT_SET_CALLS = True
DATABASE_ROUTERS = ["serving.replica.PublicReadReplicaRouter", "django_tenants.routers.TenantSyncRouter"]
DATABASES = {"default": database_config()}
# A streaming replica for public reads (docs/operations.md, 当一台机器不够时); unset: one database.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(
            os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("CMS_CONN_MAX_AGE", "0"))
        ),
        "ENGINE": "cms.db",
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }
# The embedded server's client programs (pg_dump for provisioning and backups; sites reads this).
CMS_PG_BIN_DIR = os.environ.get("CMS_PG_BIN_DIR", "")
if not CMS_PG_BIN_DIR:
    try:
        from cms.embedded_db import bin_dir

        CMS_PG_BIN_DIR = str(bin_dir())
    except ImportError:  # no pgserver wheel: pg_dump comes from $CMS_PG_DUMP or PATH
        CMS_PG_BIN_DIR = ""
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

MIDDLEWARE = [
    # Content-Security-Policy and companions (sites/security.py), listed twice: here for answers
    # given before a site is chosen (unknown host, closed site), and inside the page cache below,
    # so cached entries carry them too. The second pass keeps what the first one set.
    "sites.security.SecurityHeadersMiddleware",
    "sites.middleware.SiteMiddleware",
    # DATABASE_REPLICA_URL: an anonymous GET reads from the replica, on the same site (serving/replica.py).
    "serving.replica.ReplicaMiddleware",
    # Outside every middleware that sets headers: an entry is the whole response, and
    # cms.wsgi's PageCacheApp answers hits before Django is entered.
    "serving.pagecache.PageCacheMiddleware",
    "sites.security.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Page and document passwords unlock their own site only (the session is the cluster's).
    "sites.middleware.SitePasswordPassesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sites.sso.SingleSignOnMiddleware",
    # 三员分立: a break-glass superuser's time runs out and its every change is audited; the audit
    # administrator sees only the audit log (sites/duties.py).
    "sites.duties.AdministratorDutiesMiddleware",
    # CMS_LOCAL_PASSWORD_LOGIN=0: the password form refused on the server (sites/oidc/).
    "sites.oidc.middleware.LocalPasswordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle timeout and absolute lifetime, the second factor, the password's age (sites/policy/).
    "sites.policy.middleware.LoginPolicyMiddleware",
    # GET /admin/logout/ asks for confirmation; only the POST logs out (and deletes the session).
    "sites.middleware.LogoutConfirmationMiddleware",
    # With DEBUG on (make run) visitors still get the themed Chinese 404/500 (CMS_THEMED_ERRORS).
    "cms.middleware.VisitorErrorPagesMiddleware",
    # A disclosure document that cannot get its 索引号 is refused with a message, not a 500.
    "cms.middleware.PublishRefusalMiddleware",
    # Keeps the request for the page-type rules that Wagtail asks without a user (cms/structure.py).
    "cms.structure.CurrentRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sites.middleware.TenantRedirectMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
            # |html_datetime, {% public_url %}, {% site_url %}: public pages of every app use them.
            "builtins": ["themes.templatetags.public_links"],
        },
    },
]

# --- Users and login ----------------------------------------------------------------------------
AUTH_USER_MODEL = "sites.User"
# Only the groups bound to the site being served (or cluster-wide groups) count: Django model
# permissions are global, so without this an editor of one site could open every site's admin.
AUTHENTICATION_BACKENDS = ["sites.auth.SiteScopedBackend"]
# Every password screen (the admin's, the forced change, grant_role) checks these (sites/policy/passwords.py):
# at least CMS_PASSWORD_MIN_LENGTH characters of three of the four classes, not one of the last
# CMS_PASSWORD_HISTORY; the history validator also records each change (age, forced first change).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "sites.policy.passwords.ComplexityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "sites.policy.passwords.HistoryValidator"},
]
LOGIN_URL = "wagtailadmin_login"
# A restricted page sends readers to the cluster's own login (sign-on, lockout), not Wagtail's bare one.
WAGTAIL_FRONTEND_LOGIN_URL = "/admin/login/"
# Password resets go by e-mail. With no mail server configured (EMAIL_HOST, or an EMAIL_BACKEND of
# one's own) the reset screens are off and the login page offers no "forgotten password" link: the
# web office resets passwords. Django's default would try localhost:25, fail, and still tell the
# user a mail was sent. A send that fails is reported on the reset screen (sites/password_reset.py).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS") == "1"
EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL") == "1"
EMAIL_TIMEOUT = 10  # seconds: a mail server that does not answer must not hold a worker
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
WAGTAIL_PASSWORD_RESET_ENABLED = bool(EMAIL_HOST or os.environ.get("EMAIL_BACKEND"))
WAGTAILADMIN_USER_PASSWORD_RESET_FORM = "sites.password_reset.PasswordResetForm"  # noqa: S105 - a dotted path
# Says "账号已临时锁定，N 分钟后再试" instead of "wrong password" while a login is locked.
WAGTAILADMIN_USER_LOGIN_FORM = "sites.forms.LoginForm"
# Lockout (sites/lockout.py): this many failures within the window lock the pair (user name, client
# IP), or for the per-IP count the client IP, for the window; the owner can still sign in from elsewhere.
CMS_LOGIN_MAX_FAILURES_PER_USER = int(os.environ.get("CMS_LOGIN_MAX_FAILURES_PER_USER", "5"))
CMS_LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("CMS_LOGIN_MAX_FAILURES_PER_IP", "20"))
CMS_LOGIN_LOCKOUT_SECONDS = int(os.environ.get("CMS_LOGIN_LOCKOUT_SECONDS", "900"))
# Addresses (IPs or CIDR networks, comma-separated) of the reverse proxies whose X-Forwarded-For /
# X-Real-IP name the client (sites/client_ip.py). Empty: the headers are ignored, since a client
# that reaches the app directly could write any address in them. nginx on the same machine: 127.0.0.1.
CMS_TRUSTED_PROXIES = env_list("CMS_TRUSTED_PROXIES")

# Single sign-on (sites/sso.py): sessions live in the public schema; the sign-on host (the public
# schema's host) hands a site host a one-time ticket for the same session, so one login holds on
# every site host, whatever its domain, and logout (which deletes the session) ends it everywhere.
# CMS_PARENT_DOMAIN (e.g. "city.gov.cn") additionally sets the cookie on the parent domain, which
# saves the ticket round trip for hosts below it. Browsers refuse such cookies for "localhost".
CMS_SSO_HOST = os.environ.get("CMS_SSO_HOST", "")  # default: CMS_CLUSTER_HOST
CMS_SSO_TICKET_SECONDS = 60
CMS_PARENT_DOMAIN = os.environ.get("CMS_PARENT_DOMAIN", "")
SESSION_COOKIE_DOMAIN = f".{CMS_PARENT_DOMAIN}" if CMS_PARENT_DOMAIN else None
SESSION_COOKIE_NAME = "cms_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600

# --- 等保三级 login rules (sites/policy/, docs/operations.md «登录规则») -------------------------
# Second factor (TOTP) for these roles: "cluster" is every cluster-wide role (网站办, the three
# administrators), "superuser" any superuser, other entries role values of sites.models.Role.
CMS_MFA_REQUIRED_ROLES = env_list("CMS_MFA_REQUIRED_ROLES", "superuser,cluster,site_admin")
# Off only in the test settings (tests/sites/test_mfa*.py turn it on): never in production.
CMS_MFA_ENFORCED = os.environ.get("CMS_MFA_ENFORCED", "1") != "0"
CMS_MFA_PENDING_SECONDS = 300  # between the password and the code
CMS_MFA_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = os.environ.get("CMS_MFA_ISSUER", "政务网站集群")
OTP_TOTP_THROTTLE_FACTOR = 1  # 1, 2, 4, 8 … seconds after each wrong code in a row
CMS_MFA_MAX_FAILURES = 10  # wrong codes in a row: then the second factor is locked for the lockout window
# Passwords: 12 characters by default (GB/T 22239 asks for complexity without a number; 8 characters
# of three classes fall to an offline guess in days, 12 keep a memorable phrase and take years).
CMS_PASSWORD_MIN_LENGTH = int(os.environ.get("CMS_PASSWORD_MIN_LENGTH", "12"))
CMS_PASSWORD_MIN_CLASSES = 3  # of upper case, lower case, digits, other characters
CMS_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("CMS_PASSWORD_MAX_AGE_DAYS", "90"))  # 0: no expiry
CMS_PASSWORD_HISTORY = 5
# A password set by someone else (an admin, create_site, grant_role, seed_demo) is changed at first
# login. The development settings turn it off, so the demo accounts' published password works.
CMS_PASSWORD_INITIAL_CHANGE = os.environ.get("CMS_PASSWORD_INITIAL_CHANGE", "1") != "0"
CMS_PASSWORD_POLICY_ENFORCED = os.environ.get("CMS_PASSWORD_POLICY_ENFORCED", "1") != "0"
# Sessions: idle timeout and absolute lifetime, checked on every request on every host.
# "记住我" keeps the cookie across browser restarts (up to the absolute lifetime) and idles longer.
CMS_SESSION_IDLE_SECONDS = int(os.environ.get("CMS_SESSION_IDLE_SECONDS", str(30 * 60)))
CMS_SESSION_REMEMBER_IDLE_SECONDS = int(os.environ.get("CMS_SESSION_REMEMBER_IDLE_SECONDS", str(2 * 3600)))
CMS_SESSION_MAX_AGE_SECONDS = SESSION_COOKIE_AGE

# --- 统一身份认证: OpenID Connect (sites/oidc/, docs/operations.md «接入省统一身份认证») ------------
# The province's identity provider. Empty issuer: no 统一身份认证登录 button, the callback is a 404.
# The client is registered there with every host's callback (manage.py oidc_redirect_uris).
CMS_OIDC_ISSUER = os.environ.get("CMS_OIDC_ISSUER", "")
CMS_OIDC_CLIENT_ID = os.environ.get("CMS_OIDC_CLIENT_ID", "")
CMS_OIDC_CLIENT_SECRET = os.environ.get("CMS_OIDC_CLIENT_SECRET", "")
CMS_OIDC_SCOPES = os.environ.get("CMS_OIDC_SCOPES", "openid profile email")
# The ID token's amr values (RFC 8176) that count as a second factor, and the acr values the
# deployment trusts as one (none by default): then our own TOTP step is skipped.
CMS_OIDC_MFA_AMR = env_list("CMS_OIDC_MFA_AMR", "mfa,otp,hwk")
CMS_OIDC_STRONG_ACR = env_list("CMS_OIDC_STRONG_ACR")
# Our logout also ends the session at the provider (RP-initiated logout, its end_session_endpoint).
CMS_OIDC_LOGOUT = os.environ.get("CMS_OIDC_LOGOUT", "1") != "0"
CMS_OIDC_STATE_SECONDS = 600  # from the button to the callback
CMS_OIDC_TIMEOUT = 10  # seconds for each call to the provider (discovery, keys, token)
# --- 统一身份认证 over CAS 3.0 (sites/cas/), for a province whose service speaks CAS -----------------
# The server's base URL (…/cas). Empty: no CAS button, the callback is a 404. It must accept every
# site host's /admin/login/cas/callback/ as a service (manage.py oidc_redirect_uris prints them).
CMS_CAS_SERVER_URL = os.environ.get("CMS_CAS_SERVER_URL", "")
CMS_CAS_TIMEOUT = 10  # seconds for the ticket validation
CMS_CAS_STATE_SECONDS = 600  # from the button to the callback
# The attributes that carry a person's name and e-mail, first present wins.
CMS_CAS_NAME_ATTRIBUTES = env_list("CMS_CAS_NAME_ATTRIBUTES", "displayName,cn,name")
CMS_CAS_EMAIL_ATTRIBUTES = env_list("CMS_CAS_EMAIL_ATTRIBUTES", "mail,email")
# authnContextClass values that count as a second factor (none by default: our TOTP step is asked).
CMS_CAS_MFA_CONTEXTS = env_list("CMS_CAS_MFA_CONTEXTS")
# Our logout also ends the server's session (its /logout).
CMS_CAS_LOGOUT = os.environ.get("CMS_CAS_LOGOUT", "1") != "0"
# Addresses or networks the server's single-logout requests come from; empty: the addresses its
# host name resolves to; "*": any (they only end sessions, but a ticket can be read in access logs).
CMS_CAS_LOGOUT_FROM = env_list("CMS_CAS_LOGOUT_FROM")
# "lower" (default): user names compared without case (NFKC, lower-cased); "keep": as the server sends.
CMS_CAS_USER_CASE = os.environ.get("CMS_CAS_USER_CASE", "lower")
# Logins through an identity service started per client address and minute (each keeps its state
# in a new session row until the callback): past it, 429 and a message.
CMS_LOGIN_START_RATE = int(os.environ.get("CMS_LOGIN_START_RATE", "30"))
# 0: the identity provider only; the password form is refused on the server (the break-glass
# superuser from manage.py break_glass still signs in with its password).
CMS_LOCAL_PASSWORD_LOGIN = os.environ.get("CMS_LOCAL_PASSWORD_LOGIN", "1") != "0"

# --- Content-Security-Policy (sites/security.py) ------------------------------------------------
# Public pages, the JSON API, sign-on hops and error pages. Nothing inline runs or styles a page:
# the themes keep scripts and styles in static files (design tokens: themes/tokens.py), so an
# injected <script>, on*= handler or style attribute does nothing. nginx sends the same string
# with the static output (docker/nginx/cluster.conf; tests/sites/test_security_headers.py keeps
# the two equal). A source added here (a CDN, a monitoring script) must be added there too.
CMS_CSP_PUBLIC = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
}
# The Wagtail admin (/admin/ on every site host). Wagtail 8 writes inline scripts (inline panels,
# date pickers, chooser modals' answers) and inline styles: hence 'unsafe-inline', here only. No
# 'unsafe-eval': editing, preview, checks, choosers and uploads ran without it in Chromium (the
# accessibility checker that compiles code needs Wagtail's userbar on the page; the themes have none).
# Upload previews are blob: URLs, icons data: URLs. The sign-on hub's origin is added to
# form-action per request: the login form's answer redirects there (sites/sso.py).
CMS_CSP_ADMIN = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
}
# An SVG served by Django (runserver's /media/) is a document of the site's origin: no scripts.
CMS_CSP_SVG = {"sandbox": [], "default-src": ["'none'"], "img-src": ["data:"], "style-src": ["'unsafe-inline'"]}

# --- Language and time: Chinese first -----------------------------------------------------------
# Chinese whatever the browser asks for (no LocaleMiddleware); an admin user may still pick
# English in their Wagtail profile.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
DATE_FORMAT = "Y-m-d"
WAGTAIL_DATE_FORMAT = "%Y-%m-%d"
WAGTAIL_DATETIME_FORMAT = "%Y-%m-%d %H:%M"
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# One time zone for the whole cluster (Asia/Shanghai): the account screen offers no list of 600 foreign zones.
WAGTAIL_USER_TIME_ZONES = ["Asia/Shanghai"]
LOCALE_PATHS = [BASE_DIR / "cms" / "locale"]
# The user guides shown in the admin as 使用指南 (cms/guide.py); they ship with the code.
CMS_GUIDE_DIR = BASE_DIR / "docs" / "guide"

# --- Files --------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("CMS_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("CMS_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    # Stored names carry the site's schema, so a file's URL is right from any site's context.
    "default": {"BACKEND": "sites.storage.SiteFileStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Cache: every key carries the schema ---------------------------------------------------------
# Without the schema in the key, Wagtail's cached site root paths leaked one site's host into
# another site's URLs.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}


def redis_caches(url):
    """The shared cache on Redis (production; bench/load.py's own process)."""
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
            # Several clusters (or a bench beside production) may share one Redis.
            "KEY_PREFIX": os.environ.get("CMS_CACHE_KEY_PREFIX", ""),
        }
    }


# --- Wagtail ------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "政务网站集群"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# No avatars from a third-party service: the admin works inside the government network, the
# admin's Content-Security-Policy allows images from the site only, and e-mail hashes stay here.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# The review chain (publishing/review/chain.py): an approval holds only for the revision it was
# given on, and the last approval publishes through the chain's own checks (scan, every step).
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
WAGTAIL_FINISH_WORKFLOW_ACTION = "publishing.review.finish.publish_approved"
# Documents only through /documents/<id>/<name>, which checks who may read each one
# (cms/documents.py); never "direct" or "redirect", which would hand out the /media/ file.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
SENDFILE_BACKEND = "cms.documents"
# Behind nginx: the internal location that maps MEDIA_ROOT (docker/nginx/cluster.conf,
# "/_documents/"); the view then answers with X-Accel-Redirect and nginx sends the file.
# Empty: Django streams the file (runserver, tests, no nginx in front).
CMS_DOCUMENTS_ACCEL_REDIRECT = os.environ.get("CMS_DOCUMENTS_ACCEL_REDIRECT", "")
WAGTAIL_USER_CUSTOM_FIELDS = ["full_name", "phone", "organisation"]
# Uploads (issue 3; checks and Chinese messages in cms/uploads.py). Pillow's decompression-bomb
# limit follows WAGTAILIMAGES_MAX_IMAGE_PIXELS (cms/apps.py).
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILIMAGES_IMAGE_FORM_BASE = "cms.uploads.ImageForm"
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ofd", "wps", "zip", "txt"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 50 * 1024 * 1024
WAGTAILDOCS_DOCUMENT_FORM_BASE = "cms.uploads.DocumentForm"
# Dotted path of scan(uploaded_file) -> None | reason, e.g. a ClamAV client; empty: no scanner.
CMS_ATTACHMENT_SCANNER = os.environ.get("CMS_ATTACHMENT_SCANNER", "")
# Bounds of reading an attachment's text for the confidentiality scan, once at upload
# (publishing/confidentiality/extract.py Limits: SECONDS in a child process, CONTENT_BYTES decompressed, PAGES,
# TEXT_CHARS). A file a bound stops is scanned on what was read and flagged to the reviewer.
CMS_ATTACHMENT_EXTRACTION = {
    "SECONDS": float(os.environ.get("CMS_ATTACHMENT_EXTRACTION_SECONDS", "5")),
    "CONTENT_BYTES": 2 * 1024 * 1024,
    "PAGES": 500,
}
# Engines fed from the catalogue's outbox (name → dotted path of an OutboxEngine); see
# publishing/catalogue/engines.py. PostgreSQL search is transactional and needs no entry here.
CMS_OUTBOX_ENGINES = {}
# Cross-site search (search/): the backends kept up to date (name → BACKEND dotted path + options)
# and the one answering readers. PostgreSQL is written in the publishing transaction;
# Elasticsearch, when ELASTICSEARCH_URL is set, is fed from the outbox above.
CMS_SEARCH_BACKENDS = {"postgres": {"BACKEND": "search.backends.postgres.PostgresSearchBackend"}}
if os.environ.get("ELASTICSEARCH_URL"):
    CMS_SEARCH_BACKENDS["elasticsearch"] = {
        "BACKEND": "search.backends.elasticsearch.ElasticsearchBackend",
        "URL": os.environ["ELASTICSEARCH_URL"],
        "INDEX": os.environ.get("CMS_SEARCH_ES_INDEX", "cms-search"),
        # "cjk" (built in, bigrams) or "ik" (needs the analysis-ik plugin on every node).
        "ANALYZER": os.environ.get("CMS_SEARCH_ES_ANALYZER", "cjk"),
    }
    CMS_OUTBOX_ENGINES["elasticsearch"] = "search.backends.elasticsearch.ElasticsearchOutboxEngine"
CMS_SEARCH_BACKEND = os.environ.get("CMS_SEARCH_BACKEND", "postgres")
# Per client IP: searches a minute, and the longest query accepted (characters).
CMS_SEARCH_RATE_LIMIT = int(os.environ.get("CMS_SEARCH_RATE_LIMIT", "60"))
CMS_SEARCH_MAX_QUERY_CHARS = 100
# Static output (publishing/catalogue/static_output.py): `export_static` writes here; with
# CMS_STATIC_OUTPUT=1 every publish and unpublish also updates the files through the outbox.
CMS_STATIC_OUTPUT_DIR = Path(os.environ.get("CMS_STATIC_OUTPUT_DIR", VAR_DIR / "static-output"))
if os.environ.get("CMS_STATIC_OUTPUT") == "1":
    CMS_OUTBOX_ENGINES["static"] = "publishing.catalogue.static_output.StaticOutputEngine"
# Anonymous page views are cached this long at most; publishing purges the site at once.
CMS_PAGE_CACHE_SECONDS = int(os.environ.get("CMS_PAGE_CACHE_SECONDS", "300"))
# Per-process copies of cached pages (bytes; 0: none, as here, where the cache is per process
# already) and how often a process rereads a site's generation (production.py turns them on).
CMS_PAGE_CACHE_LOCAL_BYTES = 0
CMS_PAGE_CACHE_RECHECK = 1.0
# Each process rereads the sites' status and domains from the database after this many seconds
# (sites/middleware.py): a site closed from another process or server stops being served within
# that time, with or without a shared cache.
CMS_SITE_MAP_RECHECK = float(os.environ.get("CMS_SITE_MAP_RECHECK", "2"))
# Background tasks (search index, reference index) carry no schema: run them immediately.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CMS_LOG_LEVEL", "WARNING")},
}

CMS_DEMO_PASSWORD = os.environ.get("CMS_DEMO_PASSWORD", "Demo-2026-cms")
# seed_demo creates accounts with that published password (weboffice is a superuser): production.py
# turns it off.
CMS_DEMO_ENABLED = True

# Backups (sites/backup.py) are signed with this key, and a restore refuses an archive it did not
# sign. Empty: a key derived from SECRET_KEY (salted apart from its other uses). Set it, the same on
# every server of the cluster, so rotating SECRET_KEY does not make the old backups unrestorable.
CMS_BACKUP_SIGNING_KEY = os.environ.get("CMS_BACKUP_SIGNING_KEY", "")
# prune_backups: site backups under var/backups older than this many days are removed, except
# each site's newest few (sites/backups_retention.py).
CMS_BACKUP_KEEP_DAYS = int(os.environ.get("CMS_BACKUP_KEEP_DAYS", "30"))
CMS_BACKUP_KEEP_LAST = int(os.environ.get("CMS_BACKUP_KEEP_LAST", "3"))

# --- 互动交流 (interaction/) ---------------------------------------------------------------------
# Personal data of citizens (names, phone numbers, ID numbers) is encrypted at rest with these
# Fernet keys (comma-separated, newest first: older keys still decrypt, so keys can be rotated).
# Production requires its own; development and tests derive one from SECRET_KEY.
CMS_PERSONAL_DATA_KEYS = env_list("CMS_PERSONAL_DATA_KEYS")
# Intake limits: per client address and per phone number, per hour.
CMS_INTERACTION_LIMIT_PER_IP = int(os.environ.get("CMS_INTERACTION_LIMIT_PER_IP", "10"))
CMS_INTERACTION_LIMIT_PER_PHONE = int(os.environ.get("CMS_INTERACTION_LIMIT_PER_PHONE", "5"))
CMS_INTERACTION_LOOKUP_LIMIT_PER_IP = int(os.environ.get("CMS_INTERACTION_LOOKUP_LIMIT_PER_IP", "30"))
CMS_INTERACTION_LOOKUP_LIMIT_PER_CODE = int(os.environ.get("CMS_INTERACTION_LOOKUP_LIMIT_PER_CODE", "10"))
# Tokens of the platforms allowed to post messages through the API (a 12345 hotline, a
# mini-program's server), comma-separated; empty: the API takes messages from anyone, rate-limited.
CMS_INTERACTION_API_TOKENS = env_list("CMS_INTERACTION_API_TOKENS")
# Where citizens' attachments are kept: never under MEDIA_ROOT (nothing there is public).
CMS_INTERACTION_FILES = Path(os.environ.get("CMS_INTERACTION_FILES", VAR_DIR / "interaction-files"))

# 网络安全法 art. 21: audit events are kept at least 180 days; less is refused (sites/models.py), and
# ``archive_audit`` moves only older events into a signed archive file.
CMS_AUDIT_RETENTION_DAYS = int(os.environ.get("CMS_AUDIT_RETENTION_DAYS", "180"))
# What a request with nobody signed in may write to that log (sites/audit.py): per client address (an
# IPv6 /64) and in all, per window, whatever the action; a known person's login steps per person.
# Past a cap one audit_flood_suppressed row, then nothing more that window.
CMS_AUDIT_ANONYMOUS_WINDOW = int(os.environ.get("CMS_AUDIT_ANONYMOUS_WINDOW", "60"))
CMS_AUDIT_ANONYMOUS_PER_ADDRESS = int(os.environ.get("CMS_AUDIT_ANONYMOUS_PER_ADDRESS", "60"))
CMS_AUDIT_ANONYMOUS_PER_WINDOW = int(os.environ.get("CMS_AUDIT_ANONYMOUS_PER_WINDOW", "600"))
