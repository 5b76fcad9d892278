"""A served instance on loopback and a real headless Chromium driving it.

The server runs in a thread of the test process against the session's test database, so it sees
the committed session cluster. Chromium resolves every *.localhost name to loopback itself.
"""

import shutil
import socket
import threading
from pathlib import Path

import pytest

# Not read from settings: touching settings while conftest is imported starts Django too early.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def served(django_db_setup, django_db_blocker):
    """Base URL template ``http://{code}.localhost:PORT`` of a running server."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application
    from django.test.testcases import _MediaFilesHandler

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    port = _free_port()
    server = ThreadedWSGIServer(("127.0.0.1", port), QuietHandler, allow_reuse_address=True)
    # Static files and uploads as nginx serves them in production (DEBUG is off in tests).
    server.set_app(StaticFilesHandler(_MediaFilesHandler(get_wsgi_application())))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    with django_db_blocker.unblock():
        thread.start()
        yield f"http://{{code}}.localhost:{port}"
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = shutil.which("chromium") or "/usr/bin/chromium"
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--lang=zh-CN",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


@pytest.fixture
def browser(chromium, served):
    """The session's Chromium as a fresh profile: nothing a previous test left is seen by the next.

    WebDriver's delete_all_cookies clears only the current page's host, so the sign-on hub's
    cookies and the other site hosts' (session, cms_sso_checked, nonces) outlived a test, as did
    every origin's localStorage (the 适老化 mode) and the HTTP cache: the browser-wide DevTools
    commands clear them all, on every host, before each test.
    """
    from django.conf import settings

    from sites.models import Domain

    chromium.get("about:blank")
    chromium.execute_cdp_cmd("Network.clearBrowserCookies", {})
    chromium.execute_cdp_cmd("Network.clearBrowserCache", {})
    port = served.rsplit(":", 1)[1]
    hosts = set(Domain.objects.values_list("domain", flat=True))
    hosts |= {settings.CMS_SSO_HOST or settings.CMS_CLUSTER_HOST, "localhost"}
    for host in hosts:
        chromium.execute_cdp_cmd(
            "Storage.clearDataForOrigin", {"origin": f"http://{host}:{port}", "storageTypes": "all"}
        )
    chromium.get_log("browser")
    return chromium


def console_errors(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def screenshot(driver, name):
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path
