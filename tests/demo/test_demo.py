"""The demo content: every content type on every site, both themes in use, idempotent."""

import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from cms.models import (
    AnnualReportIndexPage,
    ArticlePage,
    DisclosureCatalogPage,
    DisclosureDocumentPage,
    InformationPage,
    LeaderPage,
    ServicePage,
    SiteHomePage,
    TopicPage,
)
from demo.content import seed_content
from demo.guard import DemoRefused
from tests.production import ROOT, production_env
from themes.models import SiteTheme

pytestmark = pytest.mark.django_db

CONTENT_TYPES = [
    DisclosureDocumentPage,
    DisclosureCatalogPage,
    AnnualReportIndexPage,
    InformationPage,
    LeaderPage,
    ServicePage,
    TopicPage,
    ArticlePage,
]


def counts(cluster):
    result = {}
    for code, tenant in cluster.sites.items():
        connection.set_tenant(tenant)
        result[code] = {model.__name__: model.objects.live().count() for model in CONTENT_TYPES}
        result[code]["home blocks"] = len(SiteHomePage.objects.get().body)
    connection.set_schema_to_public()
    return result


def test_demo_content_covers_every_type_and_both_themes(cluster, client):
    seed_content(step=lambda text: None)
    first = counts(cluster)
    for code, per_type in first.items():
        assert all(per_type.values()), (code, per_type)
    assert set(SiteTheme.objects.values_list("theme__slug", flat=True)) == {"blue", "red"}
    seed_content(step=lambda text: None)
    assert counts(cluster) == first
    for host in ("portal.localhost", "jtj.localhost", "jyj.localhost"):
        response = client.get("/", HTTP_HOST=host)
        assert response.status_code == 200
        assert "焦点图" in response.content.decode()
    assert "theme-red" in client.get("/", HTTP_HOST="jyj.localhost").content.decode()


def test_seed_demo_is_refused_under_production_settings(tmp_path):
    """The demo accounts' password is in the README and weboffice is a superuser. Run as an
    operator would, in a process of its own with production settings; the database URL points at
    a closed port, so the refusal comes before any database access."""
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--if-empty"],
        env=production_env(tmp_path / "var"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "生产环境不能创建演示站群" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@override_settings(CMS_DEMO_ENABLED=False)
def test_demo_seeding_refused_whoever_calls_it(cluster):
    users = get_user_model().objects.count()
    with pytest.raises(CommandError, match="生产环境不能创建演示站群"):
        call_command("seed_demo")
    with pytest.raises(DemoRefused):
        seed_content(step=lambda text: None)
    assert get_user_model().objects.count() == users
    assert not get_user_model().objects.filter(username="qhx_admin").exists()
