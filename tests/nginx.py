"""The shipped nginx configuration (docker/nginx/cluster.conf), run on loopback for a test.

Every ``/srv/...`` directory of the configuration is moved into the test's own directories and the
``app`` upstream pointed at a port of the test's choosing (a stub server, or nothing: "the
application is down"). nginx is a Debian package that ``make test`` installs
(scripts/system-packages.sh); a machine without it fails here rather than skipping.
"""

import contextlib
import getpass
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

NGINX_CONF = Path(__file__).resolve().parents[1] / "docker" / "nginx" / "cluster.conf"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def shipped_nginx(root: Path, *, media: Path, output: Path, static: Path | None = None, app_port=None):
    """Run nginx with the shipped site configuration under ``root``; yields the port it listens on."""
    static = static or root / "static"
    for directory in (media, output, static):
        directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    site = NGINX_CONF.read_text(encoding="utf-8")
    site = site.replace("server app:8000;", f"server 127.0.0.1:{app_port or free_port()};")
    site = site.replace("listen 80 default_server;", f"listen 127.0.0.1:{port} default_server;")
    site = site.replace("/srv/media/", f"{media}/").replace("/srv/static/", f"{static}/")
    site = site.replace("/srv/static-output", str(output))
    site = site.replace("/var/log/nginx/", f"{root}/")  # the access log (cms_access) in the test's directory
    assert "/srv/" not in site, "every directory of the configuration is moved to the test's"
    (root / "site.conf").write_text(site, encoding="utf-8")
    # pytest's temporary directories are private to their owner: run the workers as that owner.
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    mime = "  include /etc/nginx/mime.types;\n" if Path("/etc/nginx/mime.types").exists() else ""
    temp = "".join(
        f"  {kind}_temp_path {root}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (root / "nginx.conf").write_text(
        f"{user}pid {root}/nginx.pid;\nerror_log {root}/error.log;\ndaemon off;\nevents {{}}\n"
        f"http {{\n  access_log off;\n{temp}{mime}  include {root}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(binary).exists(), "nginx is installed by scripts/system-packages.sh (make test)"
    server = subprocess.Popen([binary, "-p", str(root), "-c", str(root / "nginx.conf")])
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail((root / "error.log").read_text(errors="replace"))
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)
