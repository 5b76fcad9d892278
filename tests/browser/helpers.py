"""Signing in and out of the admin in the browser, shared by the browser tests."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

# Logout is a POST with the CSRF token, as the admin's own logout button sends it.
LOGOUT_SCRIPT = """
const done = arguments[arguments.length - 1];
const token = document.cookie.split('; ').find((c) => c.startsWith('csrftoken=')).split('=')[1];
fetch('/admin/logout/', {method: 'POST', headers: {'X-CSRFToken': token}, redirect: 'manual'})
  .then((r) => done(r.status || 302));
"""


def login(browser, base, username, password):
    browser.get(base + "/admin/login/")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit], form input[type=submit]").click()
    # The sign-in ends with redirects through the sign-on host and back: wait for them, or the
    # caller's next browser.get races the last redirect and lands on the dashboard instead.
    WebDriverWait(browser, 45).until(
        lambda b: (
            "/admin/login/" not in b.current_url
            and "/sso/" not in b.current_url
            and b.execute_script("return document.readyState") == "complete"
        )
    )
