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
def browser(chromium):
    """The session's Chromium with cookies cleared and the console log drained before each test."""
    chromium.delete_all_cookies()
    chromium.get_log("browser")
    return chromium


def console_errors(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def screenshot(driver, name):
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path
