"""Production settings refuse what is unsafe before anything starts.

Each case loads the settings in a fresh interpreter (``django.setup()`` with the environment an
operator would give), so the module's own checks run as they do in gunicorn. The database URL
points at a closed port: nothing here may need a database, and none may be started.
"""

import subprocess
import sys

import pytest

from tests.production import GOOD_KEY, ROOT, production_env

LOAD = "import django; django.setup(); from django.conf import settings as s; print('LOADED', {probe})"


def placeholder_key():
    """The SECRET_KEY value that docker/.env.example ships."""
    for line in (ROOT / "docker" / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.startswith("SECRET_KEY="):
            return line.split("=", 1)[1]
    raise AssertionError("docker/.env.example has no SECRET_KEY line")


@pytest.fixture
def var_dir(tmp_path):
    """A var directory of the test's own; an embedded server started there is stopped afterwards."""
    var = tmp_path / "var"
    yield var
    if (var / "pgdata" / "postmaster.pid").exists():  # only if a check under test failed
        from cms.embedded_db import bin_dir

        subprocess.run([str(bin_dir() / "pg_ctl"), "-D", str(var / "pgdata"), "-m", "immediate", "stop"], check=False)


def load(env, probe="None", code=None):
    return subprocess.run(
        [sys.executable, "-c", code or LOAD.format(probe=probe)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_refused(result, *needles):
    assert result.returncode != 0, result.stdout
    assert "LOADED" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_good_environment_loads_with_hsts(var_dir):
    result = load(
        production_env(var_dir),
        probe="s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.ALLOWED_HOSTS, s.CMS_DEMO_ENABLED",
    )
    assert result.returncode == 0, result.stderr
    assert "LOADED 31536000 False ['.city.gov.cn', '.qhx.gov.cn'] False" in result.stdout
    assert not var_dir.exists()


def test_hsts_follows_its_environment_variables(var_dir):
    env = production_env(var_dir, CMS_HSTS_SECONDS="600", CMS_HSTS_INCLUDE_SUBDOMAINS="1", CMS_HSTS_PRELOAD="1")
    result = load(env, probe="s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD")
    assert "LOADED 600 True True" in result.stdout, result.stderr
    assert_refused(load(production_env(var_dir, CMS_HSTS_SECONDS="a year")), "CMS_HSTS_SECONDS")


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(placeholder_key(), id="the .env.example placeholder"),
        pytest.param("dev-only-not-secret", id="the development key"),
        pytest.param("fault-test-only", id="short"),
        pytest.param("Xy3-" * 5, id="twenty characters"),
        pytest.param("a" * 64, id="one character repeated"),
        pytest.param("django-insecure-" + GOOD_KEY, id="Django's insecure prefix"),
        pytest.param("", id="empty"),
    ],
)
def test_a_placeholder_or_weak_secret_key_is_refused(var_dir, key):
    assert_refused(load(production_env(var_dir, SECRET_KEY=key)), "SECRET_KEY")


@pytest.mark.parametrize("hosts", ["*", ".city.gov.cn,*", "*.city.gov.cn", " , ", None])
def test_allowed_hosts_must_name_the_clusters_hosts(var_dir, hosts):
    assert_refused(load(production_env(var_dir, ALLOWED_HOSTS=hosts)), "ALLOWED_HOSTS")


def test_missing_database_url_is_refused_before_the_embedded_database_starts(var_dir):
    result = load(production_env(var_dir, DATABASE_URL=None))
    assert_refused(result, "DATABASE_URL")
    assert not (var_dir / "pgdata").exists(), "the embedded PostgreSQL was started"
    assert not var_dir.exists()


def test_the_embedded_database_lives_in_the_var_directory(var_dir, monkeypatch):
    """So a var directory of one's own (tests, a second checkout) never joins another's server."""
    code = "import cms.embedded_db as e; print('PGDATA', e.PGDATA)"
    env = production_env(var_dir, CMS_PGDATA=None)
    assert f"PGDATA {var_dir / 'pgdata'}" in load(env, code=code).stdout
    env = production_env(var_dir, CMS_PGDATA="/srv/elsewhere")
    assert "PGDATA /srv/elsewhere" in load(env, code=code).stdout
