"""``grant_role --site <portal> --role 网站办``: a city's web office from the command line, bound to its
portal's subtree, audited, and revoked the same way; refused on a site that is not a portal and for
someone who is already another of the three administrators."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sites.access import is_web_office
from sites.models import AuditEvent, SiteKind, Tenant
from sites.policy.mfa import requires_second_factor
from sites.scope import managed_sites
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(cluster):
    """jtj becomes a city portal below the province (portal); jyj stays a department."""
    Tenant.objects.filter(code="jtj").update(kind=SiteKind.PORTAL, parent=cluster.sites["portal"])
    return Tenant.objects.get(code="jtj")


def run(command, *args):
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_grant_and_revoke_a_city_web_office(cluster, city, settings):
    user = UserFactory(username="city_office_cli")
    text = run("grant_role", "--user", user.username, "--site", "jtj", "--role", "网站办")
    assert "门户 jtj 及其下级站点" in text
    assert set(managed_sites(user).values_list("code", flat=True)) == {"jtj"}
    assert not is_web_office(user)  # not the cluster's web office
    settings.CMS_MFA_ENFORCED = True
    assert requires_second_factor(user)
    event = AuditEvent.objects.filter(action="role_granted", target=user.username).latest("created_at")
    assert (event.tenant_code, event.detail.get("scope")) == ("jtj", "subtree")

    run("revoke_role", "--user", user.username, "--site", "jtj", "--role", "系统管理员")
    assert not managed_sites(user).exists()
    event = AuditEvent.objects.filter(action="role_revoked", target=user.username).latest("created_at")
    assert (event.tenant_code, event.detail.get("scope")) == ("jtj", "subtree")
    with pytest.raises(CommandError, match="不是门户"):
        run("revoke_role", "--user", user.username, "--site", "jtj", "--role", "网站办")


def test_only_a_portal_and_never_a_second_administrator(cluster, city):
    user = UserFactory(username="not_a_portal_office")
    with pytest.raises(CommandError, match="只能绑定到门户网站"):
        run("grant_role", "--user", user.username, "--site", "jyj", "--role", "网站办")
    with pytest.raises(CommandError, match="不存在"):
        run("grant_role", "--user", user.username, "--site", "nosuch", "--role", "网站办")
    assert not managed_sites(user).exists()
    # 三员分立 at every level: the security administrator may not become a city's system administrator.
    secadmin = cluster.user(None, "security_admin")
    with pytest.raises(CommandError, match="三员分立"):
        run("grant_role", "--user", secadmin.username, "--site", "jtj", "--role", "网站办")
    assert not managed_sites(secadmin).exists()
    subtree = AuditEvent.objects.filter(detail__scope="subtree", target__in=[user.username, secadmin.username])
    assert not subtree.filter(action="role_granted").exists()
    # Each refusal is audited, with its reason.
    refused = subtree.filter(action="role_refused")
    assert set(refused.values_list("tenant_code", "target")) == {("jyj", user.username), ("jtj", secadmin.username)}
    # Positive control: without --site the role is the cluster's, as before.
    run("grant_role", "--user", user.username, "--role", "系统管理员")
    assert is_web_office(type(user).objects.get(pk=user.pk))
