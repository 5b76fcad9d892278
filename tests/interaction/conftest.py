"""Helpers for 互动交流 tests: a citizen's message as the forms and the API send it."""

import pytest

from interaction import services, workdays


def message_data(**changes):
    data = {
        "kind": "consult",
        "subject": "公交线路调整咨询",
        "body": "请问 12 路公交车什么时候恢复原线路运行？",
        "name": "张三",
        "phone": "13812345678",
        "consent": True,
    }
    data.update(changes)
    return data


@pytest.fixture
def write_message(cluster):
    def write(code="portal", **changes):
        return services.submit_message(cluster.sites[code], message_data(**changes))

    return write


@pytest.fixture(autouse=True)
def _forget_workday_overrides():
    """Override rows vanish with the test's transaction; the cached table must vanish with them."""
    workdays.forget_overrides()
    yield
    workdays.forget_overrides()
