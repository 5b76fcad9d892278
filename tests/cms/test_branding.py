"""A site admin sets the site's own logo and banner within what the theme allows; the header shows them."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.urls import reverse
from wagtail.models import Site

from cms.models import SiteBranding
from cms.models.branding import EDIT_PERMISSION
from sites.models import Role, SiteGroup
from themes.models import Theme
from themes.registry import BRANDING_LIMITS, branding_limits
from themes.services import assign_theme

from .content import image

pytestmark = pytest.mark.django_db
HOST = {"HTTP_HOST": "jtj.localhost"}


@pytest.fixture
def images(in_site):
    in_site("jtj")
    made = {
        "logo": image("交通局标志", size=(128, 128)),
        "wide_logo": image("横向标志", size=(300, 100)),
        "banner": image("页头横幅", size=(1920, 240)),
        "small_banner": image("小横幅", size=(600, 100)),
    }
    site_pk = Site.objects.get().pk
    connection.set_schema_to_public()
    return {name: img.pk for name, img in made.items()}, site_pk


def grant_edit_permission(tenant):
    """What provisioning must give each site's admin group (EDIT_PERMISSION)."""
    app_label, codename = EDIT_PERMISSION.split(".")
    group = SiteGroup.objects.get(tenant=tenant, role=Role.SITE_ADMIN).group
    group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


@pytest.fixture
def site_admin(cluster, client):
    """The site's admin with the setting's permission, signed in."""
    grant_edit_permission(cluster.sites["jtj"])
    client.force_login(cluster.user("jtj", "site_admin"))
    return client


def edit_url(site_pk):
    return reverse("wagtailsettings:edit", args=("cms", "sitebranding", site_pk))


def test_limits_of_the_template_sets():
    blue, red = branding_limits("blue"), branding_limits("red")
    assert blue.logo_errors(128, 128) == [] and blue.banner_errors(1920, 240) == []
    assert any("正方形" in e for e in blue.logo_errors(300, 100))
    assert any("96" in e for e in blue.logo_errors(64, 64))
    assert any("1200" in e for e in blue.banner_errors(600, 100))
    assert any("长条" in e for e in blue.banner_errors(1920, 1080))
    assert red.banner_errors(1920, 240) and "不显示页头横幅" in red.banner_errors(1920, 240)[0]
    assert branding_limits("no-such-set") == BRANDING_LIMITS["blue"]


def test_site_admin_sets_logo_and_banner_and_the_header_shows_them(images, site_admin, cluster):
    ids, site_pk = images
    assert "themes/blue/logo.svg" in Client().get("/", **HOST).content.decode()  # now in the page cache
    client = site_admin
    assert client.get(edit_url(site_pk), **HOST).status_code == 200
    refused = client.post(edit_url(site_pk), {"logo": ids["wide_logo"], "banner": ids["small_banner"]}, **HOST)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "须接近正方形" in html and "不能小于 1200 像素" in html

    saved = client.post(edit_url(site_pk), {"logo": ids["logo"], "banner": ids["banner"]}, **HOST)
    assert saved.status_code == 302
    connection.set_tenant(cluster.sites["jtj"])
    branding = SiteBranding.objects.get()
    assert branding.logo_id == ids["logo"] and branding.banner_id == ids["banner"]
    connection.set_schema_to_public()

    client.logout()
    home = client.get("/", **HOST).content.decode()
    assert 'class="brand__logo"' in home and "themes/blue/logo.svg" not in home  # the site's logo wins
    # The banner is an <img> under the veil: the public pages allow no style attributes (CSP).
    assert "site-header--banner" in home and 'class="site-header__banner"' in home and " style=" not in home


def test_the_theme_decides_what_is_shown(images, site_admin, cluster):
    ids, site_pk = images
    client = site_admin
    assert client.post(edit_url(site_pk), {"logo": ids["logo"], "banner": ids["banner"]}, **HOST).status_code == 302
    assign_theme(Theme.objects.get(slug="red"), cluster.sites["jtj"])
    client.logout()
    home = client.get("/", **HOST).content.decode()
    assert "theme-red" in home and 'class="brand__logo"' in home and "themes/red/logo.svg" not in home
    assert "site-header--banner" not in home  # 中国红 shows no banner, whatever the site set
    # …and a site on 中国红 cannot set one.
    client.force_login(cluster.user("jtj", "site_admin"))
    refused = client.post(edit_url(site_pk), {"logo": ids["logo"], "banner": ids["banner"]}, **HOST)
    assert refused.status_code == 200 and "不显示页头横幅" in refused.content.decode()


def test_without_a_site_logo_the_theme_default_is_shown(cluster, client):
    home = client.get("/", HTTP_HOST="jyj.localhost").content.decode()
    assert "themes/blue/logo.svg" in home and "site-header--banner" not in home


def test_editors_cannot_change_the_branding(images, cluster, client):
    ids, site_pk = images
    client.force_login(cluster.user("jtj", "editor"))
    response = client.post(edit_url(site_pk), {"logo": ids["logo"]}, **HOST)
    assert response.status_code in (302, 403)
    connection.set_tenant(cluster.sites["jtj"])
    assert not SiteBranding.objects.filter(logo_id=ids["logo"]).exists()


def test_another_sites_admin_cannot_change_it(images, cluster, client):
    ids, site_pk = images
    grant_edit_permission(cluster.sites["jyj"])  # may change jyj's branding, and only jyj's
    client.force_login(cluster.user("jyj", "site_admin"))
    response = client.post(edit_url(site_pk), {"logo": ids["logo"]}, **HOST)
    assert response.status_code in (302, 403)


def test_an_svg_logo_that_could_run_code_is_refused(cluster, in_site):
    """Should SVG ever be allowed in the image library, a site logo with a script is still refused."""
    from django.core.exceptions import ValidationError
    from django.core.files.base import ContentFile
    from wagtail.images import get_image_model

    in_site("jtj")
    site = Site.objects.get()

    def svg_image(title, data):
        made = get_image_model()(title=title)
        made.file.save(f"{title}.svg", ContentFile(data), save=False)
        made.width = made.height = 128  # Pillow reads no size from an SVG
        made.save()
        return made

    hostile = svg_image("带脚本的标志", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>')
    clean = svg_image("普通标志", b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>')
    try:
        with pytest.raises(ValidationError) as excinfo:
            SiteBranding(site=site, logo=hostile).clean()
        assert "事件处理属性 onload" in " ".join(excinfo.value.message_dict["logo"])
        SiteBranding(site=site, logo=clean).clean()  # positive control: a plain drawing passes
    finally:
        hostile.file.delete(save=False)
        clean.file.delete(save=False)


def test_serving_purges_the_site_when_its_branding_changes_and_not_for_the_empty_row(images, cluster, monkeypatch):
    """The receiver is serving's (``pagecache.on_branding_change``); the model knows nothing of the cache."""
    from serving import pagecache

    ids, site_pk = images
    purged = []
    monkeypatch.setattr(pagecache, "purge_site", lambda tenant: purged.append(tenant.code))
    connection.set_tenant(cluster.sites["jtj"])
    SiteBranding.objects.filter(site_id=site_pk).delete()  # a page view may have made it already
    branding = SiteBranding.objects.create(site_id=site_pk)  # made on the site's first page view
    assert purged == []
    branding.logo_id = ids["logo"]
    branding.save()
    assert purged == ["jtj"]
    connection.set_schema_to_public()
