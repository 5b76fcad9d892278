"""Session-wide test cluster: the template, three sites and a user for every role on each.

They are made once per test session and committed (provisioning copies the template with
pg_dump, which reads committed data); each test runs in a transaction that is rolled back.
"""

from dataclasses import dataclass, field

import pytest
from django.db import connection

from sites.bootstrap import bootstrap
from sites.middleware import invalidate_domain_map
from sites.models import Role

from .factories import PASSWORD, make_site, user_with_role

SITE_ROLES = {
    Role.SITE_ADMIN: "admin",
    Role.EDITOR: "editor",
    Role.REVIEWER: "reviewer",
    Role.SECRECY_OFFICER: "secrecy",
    Role.HANDLER: "handler",
}


@dataclass
class Cluster:
    sites: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    password: str = PASSWORD

    def host(self, code):
        return f"{code}.localhost"

    def user(self, code, role):
        return self.users[(code, Role(role))]


_cluster = Cluster()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # pytest-django creates the test database only when a collected test is marked django_db;
    # never let the session cluster be built in the development database.
    name = connection.settings_dict["NAME"]
    if name != connection.settings_dict["TEST"]["NAME"]:
        pytest.exit(f"refusing to build the test cluster in database {name!r}: mark the tests django_db", 2)
    with django_db_blocker.unblock():
        bootstrap(step=lambda text: None)
        portal = make_site(
            "portal",
            "测试市人民政府",
            kind="portal",
            org_code="014207264",
            site_identifier="1234000001",
            sponsor="测试市人民政府办公室",
            organizer="测试市大数据中心",
            icp_number="测ICP备12345678号",
            police_record_number="测公网安备 12345678901234号",
            police_record_url="https://beian.example.gov.cn/",
            contact_phone="0771-1234567",
            contact_address="测试市人民路 1 号",
        )
        jtj = make_site("jtj", "测试市交通运输局", parent="portal", org_code="014207265")
        jyj = make_site("jyj", "测试市教育局", parent="portal", org_code="014207266")
        for tenant in (portal, jtj, jyj):
            _cluster.sites[tenant.code] = tenant
            for role, suffix in SITE_ROLES.items():
                _cluster.users[(tenant.code, role)] = user_with_role(f"{tenant.code}_{suffix}", role, tenant)
        _cluster.users[(None, Role.WEB_OFFICE)] = user_with_role("weboffice", Role.WEB_OFFICE)  # 系统管理员
        _cluster.users[(None, Role.SECURITY_ADMIN)] = user_with_role("secadmin", Role.SECURITY_ADMIN)
        _cluster.users[(None, Role.AUDIT_ADMIN)] = user_with_role("auditor", Role.AUDIT_ADMIN)
        connection.set_schema_to_public()


@pytest.fixture
def cluster(django_db_setup):
    return _cluster


@pytest.fixture(autouse=True)
def _back_to_public(request):
    """No test leaks its schema or the host map into the next one."""
    if request.node.get_closest_marker("django_db") and _cluster.sites:
        # The session's Tenant objects are shared: a test that changed one in memory (and rolled
        # the row back) must not hand the change to this one, which might save it. Read before the
        # test, inside its transaction, while the rows are still as committed.
        request.getfixturevalue("_django_db_helper")
        for tenant in _cluster.sites.values():
            tenant.refresh_from_db()
        # The session's users too, and what a test made them remember (roles, permissions: the
        # caches live on the shared objects and would outlive the test's rolled-back grants).
        from sites.access import forget_roles

        for user in _cluster.users.values():
            forget_roles(user)
            user.refresh_from_db()
    yield
    connection.set_schema_to_public()
    invalidate_domain_map()


@pytest.fixture(autouse=True)
def _fresh_process_memos():
    """A test's transaction is rolled back without signals: forget what the process remembered."""
    from serving import pagecache
    from themes import resolver

    pagecache.local.clear()
    resolver.forget_themes()
    yield
