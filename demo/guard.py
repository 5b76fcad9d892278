"""The demo cluster is never made under production settings."""

from django.conf import settings


class DemoRefused(Exception):
    """The demo cluster may not be made here; the message is for people."""


def ensure_demo_allowed():
    """Refuse under production settings (``CMS_DEMO_ENABLED = False``).

    The demo accounts have a password printed in the README, and ``weboffice``, ``secadmin`` and
    ``auditor`` are the cluster's administrators: on a production cluster they would be a published way in.
    """
    if not getattr(settings, "CMS_DEMO_ENABLED", True):
        raise DemoRefused(
            "生产环境不能创建演示站群：演示账号（包括系统管理员 weboffice、安全管理员 secadmin、审计管理员 auditor）的密码是公开的。"
            "请用 create_site 开通站点，用 grant_role 授予角色。"
        )
