"""The embedded PostgreSQL used when ``DATABASE_URL`` is unset.

The ``pgserver`` wheel ships a PostgreSQL build. Every process that calls
``get_server`` on the same data directory shares one server, and with
``cleanup_mode=None`` the server outlives the caller, so ``make run``, gunicorn
workers, ``manage.py`` commands and the test runner all use the same instance.
``make stop`` (``python -m cms.embedded_db stop``) shuts it down.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# In the var directory the settings use (CMS_VAR_DIR), unless CMS_PGDATA names another place.
PGDATA = Path(os.environ.get("CMS_PGDATA") or Path(os.environ.get("CMS_VAR_DIR") or BASE_DIR / "var") / "pgdata")
DATABASE_NAME = "cms"


def _server():
    import warnings

    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver

    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    return pgserver.get_server(PGDATA, cleanup_mode=None)


def bin_dir() -> Path:
    """Directory of the PostgreSQL client programs shipped with pgserver (pg_dump, psql)."""
    import pgserver

    return Path(pgserver.__file__).parent / "pginstall" / "bin"


def database_settings() -> dict:
    """Start (or join) the embedded server and return a Django ``DATABASES`` entry."""
    import psycopg

    info = _server().get_postmaster_info()
    host = str(info.socket_dir) if info.socket_dir else info.hostname
    with psycopg.connect(host=host, port=info.port, user="postgres", dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone():
            conn.execute(f"CREATE DATABASE {DATABASE_NAME}")
    return {
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": host,
        "PORT": str(info.port or ""),
    }


def stop() -> None:
    if not (PGDATA / "postmaster.pid").exists():
        print("embedded PostgreSQL is not running")
        return
    from pgserver._commands import pg_ctl

    server = _server()
    pg_ctl(["-w", "stop"], pgdata=PGDATA, user=server.system_user)
    print("embedded PostgreSQL stopped")


if __name__ == "__main__":
    if sys.argv[1:] == ["stop"]:
        stop()
    elif sys.argv[1:] == ["url"]:
        s = database_settings()
        print(f"postgresql://{s['USER']}@/{s['NAME']}?host={s['HOST']}")
    else:
        sys.exit("usage: python -m cms.embedded_db stop|url")
