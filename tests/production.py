"""Running the production settings as an operator would: the environment for a fresh interpreter."""

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOOD_KEY = secrets.token_urlsafe(50)
PERSONAL_DATA_KEY = "kYzX6Q0bq0m8c2B2pYQ6r8m1w7QJt3eV5sFh0u9nL1A="  # a Fernet key for the test only


def production_env(var_dir, **changes):
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("CMS_", "DJANGO_", "EMAIL_", "GUNICORN_"))
        and name not in ("DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL", "ELASTICSEARCH_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY=GOOD_KEY,
        CMS_PERSONAL_DATA_KEYS=PERSONAL_DATA_KEY,
        ALLOWED_HOSTS=".city.gov.cn,.qhx.gov.cn",
        DATABASE_URL="postgres://cms@127.0.0.1:1/cms",
        CMS_VAR_DIR=str(var_dir),
        # Named as well: the embedded server's directory must stay untouched even if it ignored CMS_VAR_DIR.
        CMS_PGDATA=str(var_dir / "pgdata"),
    )
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env
