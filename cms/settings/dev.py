"""Local development: the embedded database and hosts under *.localhost."""

import os

from .base import *  # noqa: F403
from .base import env_list

DEBUG = True
CMS_PUBLIC_PORT = os.environ.get("CMS_PUBLIC_PORT", "8000")

SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - development settings only
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,.localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = ["http://localhost:8000", "http://*.localhost:8000"]
# The demo accounts' password is published (README, cluster_info): no forced first change here, so a
# newcomer signs in with it. Production keeps it on (base). Demo admins still bind an authenticator.
CMS_PASSWORD_INITIAL_CHANGE = False
