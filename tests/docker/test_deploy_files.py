"""What can be checked of the production shape without a Docker engine.

The compose file's services, pinned images, variables, volumes and commands; the Dockerfile's
stages and user; and nginx's own syntax check of the site configuration (Debian's nginx).
"""

import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

from tests.deploy import DOCKER, ROOT


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))


def env_example():
    names = set()
    for line in (DOCKER / ".env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            names.add(line.split("=", 1)[0])
    return names


def test_compose_has_every_service_of_the_production_shape(compose):
    assert {"db", "elasticsearch", "redis", "migrate", "app", "worker", "nginx"} <= set(compose["services"])
    es = compose["services"]["elasticsearch"]
    assert es["image"].startswith("docker.elastic.co/elasticsearch/elasticsearch:8.")
    assert es["environment"]["discovery.type"] == "single-node"


def test_postgres_lock_table_holds_a_delete_across_a_province(compose):
    """Deleting a user or content type checks each site's foreign keys to it in one transaction
    (about 104 tables and indexes a site for a user); PostgreSQL's default lock table fails that
    past a few dozen sites, 2048 per connection holds a province of about 1,900."""
    command = compose["services"]["db"].get("command") or []
    settings = dict(arg.split("=", 1) for arg in command if "=" in arg)
    assert int(settings.get("max_locks_per_transaction", 64)) >= 2048


def test_every_image_is_pinned(compose):
    for name, service in compose["services"].items():
        image = service.get("image", "")
        if "build" in service:
            continue
        assert re.search(r":\d+(\.\d+)+", image), f"{name} uses an unpinned image {image!r}"
    dockerfile = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM (\S+)", dockerfile, flags=re.M)
    assert len(stages) >= 2, "multi-stage build"
    assert all(re.search(r":\d+\.\d+\.\d+", image) for image in stages)


def test_dockerfile_runs_as_a_non_root_user():
    dockerfile = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    users = re.findall(r"^USER (\S+)", dockerfile, flags=re.M)
    assert users and users[-1] not in ("root", "0")
    assert (ROOT / "requirements.lock").exists() and "COPY requirements.lock" in dockerfile


def test_every_variable_is_documented_in_env_example():
    text = (DOCKER / "compose.yaml").read_text(encoding="utf-8")
    used = {name for name, default in re.findall(r"\$\{(\w+)(:-[^}]*)?\}", text) if not default}
    assert used <= env_example(), used - env_example()
    assert {"SECRET_KEY", "ALLOWED_HOSTS"} <= env_example()


def test_every_volume_and_file_reference_exists(compose):
    declared = set(compose["volumes"])
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (DOCKER / source).exists(), f"{name}: {source} is missing"
            else:
                assert source in declared, f"{name}: volume {source} is not declared"
        build = service.get("build")
        if build:
            assert (DOCKER / build["context"] / build["dockerfile"]).exists()


def test_every_command_exists(compose):
    commands = get_commands()
    for name, service in compose["services"].items():
        command = service.get("command") or []
        if command[:2] == ["python", "manage.py"]:
            assert command[2] in commands, f"{name}: manage.py {command[2]} does not exist"
        if command[:1] == ["gunicorn"]:
            assert (ROOT / command[command.index("-c") + 1]).exists()


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_nginx_accepts_the_site_configuration(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is installed by scripts/system-packages.sh (make test)"
    site = (DOCKER / "nginx" / "cluster.conf").read_text(encoding="utf-8")
    # Only the addresses change: the upstream host "app" exists inside compose's network only.
    site = site.replace("server app:8000;", "server 127.0.0.1:8000;")
    site = site.replace("listen 80 default_server;", f"listen 127.0.0.1:{_free_port()} default_server;")
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path};\n  include {tmp_path}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr
