"""Helpers of the public-side tests: a citizen's browser-less visit to the forms."""

import re

from interaction import abuse

TOKEN_RE = re.compile(r'name="captcha_token" value="([^"]+)"')
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def host(code):
    return f"{code}.localhost"


def captcha_of(html):
    """(token, answer) of the CAPTCHA a rendered form carries."""
    token = TOKEN_RE.search(html).group(1)
    return token, abuse.captcha_answer(token)


def open_form(client, code, path):
    response = client.get(path, HTTP_HOST=host(code))
    assert response.status_code == 200, response.content.decode()[:500]
    return response


def post_form(client, code, path, data, *, files=None, solve=True, ip="10.0.0.1", **extra):
    """Open the form, solve its CAPTCHA (unless ``solve`` is False), and post ``data``."""
    html = open_form(client, code, path).content.decode()
    token, answer = captcha_of(html)
    payload = {"captcha_token": token, "captcha": answer if solve else "WRONG", **data}
    payload = {key: value for key, value in payload.items() if value is not None}
    if files:
        payload.update(files)
    return client.post(path, payload, HTTP_HOST=host(code), REMOTE_ADDR=ip, **extra)


def message_form(**changes):
    data = {
        "subject": "公交站台照明问题",
        "body": "人民路公交站台夜间没有照明，请尽快修复。",
        "name": "李四",
        "phone": "13900001234",
        "consent": "on",
    }
    data.update(changes)
    return data


def application_form(**changes):
    data = {
        "applicant_type": "citizen",
        "name": "王五",
        "id_number": "11010519491231002X",
        "phone": "13700005678",
        "email": "wangwu@example.com",
        "address": "",
        "description": "请公开 2025 年本市公交线路调整的论证报告。",
        "purpose": "了解线路调整依据",
        "provision_form": "electronic",
        "delivery": "email",
    }
    data.update(changes)
    return data
