"""信息报送: offer, adopt or decline with a reason, withdraw; each site sees only its own records."""

import pytest
from django.db import connection

from cms.models import ArticlePage
from publishing.catalogue.models import CatalogueEntry
from publishing.syndication import services
from publishing.syndication.models import Submission, SubmissionStatus
from sites.models import AuditEvent
from tests.cms import content
from tests.refusals import is_refused

from .conftest import get

pytestmark = pytest.mark.django_db


@pytest.fixture
def yw_id(in_site):
    in_site("portal")
    pk = content.column("yw").pk
    connection.set_schema_to_public()
    return pk


def login(client, cluster, code, role):
    client.cookies.pop("messages", None)  # another person's flash message is not this screen's content
    client.force_login(cluster.user(code, role))
    return client


def offer_through_admin(client, cluster, code, page_id, yw_id, note=""):
    login(client, cluster, code, "editor")
    return client.post(
        f"/admin/syndication/offer/{page_id}/",
        {"target": f"portal:{yw_id}", "note": note},
        HTTP_HOST=f"{code}.localhost",
    )


def test_offer_adopt_lists_the_original_on_the_portal(cluster, client, publish_in, yw_id, in_site):
    page_id = publish_in("jtj", "交通局报送的要闻")
    # The page's more-menu offers 报送到门户 to the department's editor.
    login(client, cluster, "jtj", "editor")
    explore = get(client, "jtj", f"/admin/pages/{content_parent(in_site, 'jtj', page_id)}/").content.decode()
    assert f"/admin/syndication/offer/{page_id}/" in explore and "报送到门户" in explore
    form = get(client, "jtj", f"/admin/syndication/offer/{page_id}/").content.decode()
    assert f'value="portal:{yw_id}"' in form and "要闻" in form

    response = offer_through_admin(client, cluster, "jtj", page_id, yw_id, note="请采用")
    assert response.status_code == 302
    submission = Submission.objects.get(source_tenant__code="jtj", page_id=page_id)
    assert submission.status == SubmissionStatus.OFFERED and submission.target_column_title == "要闻"
    assert "交通局报送的要闻" not in get(client, "portal", "/zwdt/yw/").content.decode()

    login(client, cluster, "portal", "editor")
    queue = get(client, "portal", "/admin/syndication/").content.decode()
    assert "交通局报送的要闻" in queue and "请采用" in queue
    response = client.post(f"/admin/syndication/{submission.pk}/adopt/", HTTP_HOST="portal.localhost")
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ADOPTED and submission.decided_by == cluster.user("portal", "editor")
    client.logout()
    html = get(client, "portal", "/zwdt/yw/").content.decode()
    assert "交通局报送的要闻" in html and "来源：测试市交通运输局" in html and 'href="http://jtj.localhost/' in html
    in_site("portal")
    assert not ArticlePage.objects.filter(title="交通局报送的要闻").exists()  # linked, not copied
    connection.set_schema_to_public()
    # The offering editor sees the outcome.
    login(client, cluster, "jtj", "editor")
    mine = get(client, "jtj", "/admin/syndication/").content.decode()
    assert "交通局报送的要闻" in mine and "已采用" in mine
    assert AuditEvent.objects.filter(action="submission_adopted", tenant_code="portal").exists()

    # Unpublishing the original takes it off the portal at once.
    in_site("jtj")
    ArticlePage.objects.get(pk=page_id).unpublish()
    connection.set_schema_to_public()
    client.logout()
    assert "交通局报送的要闻" not in get(client, "portal", "/zwdt/yw/").content.decode()


def content_parent(in_site, code, page_id):
    in_site(code)
    parent = ArticlePage.objects.get(pk=page_id).get_parent().pk
    connection.set_schema_to_public()
    return parent


def test_decline_needs_a_reason_and_the_editor_sees_it(cluster, client, publish_in, yw_id):
    page_id = publish_in("jyj", "教育局报送但未被采用")
    offer_through_admin(client, cluster, "jyj", page_id, yw_id)
    submission = Submission.objects.get(source_tenant__code="jyj", page_id=page_id)
    login(client, cluster, "portal", "site_admin")
    client.post(f"/admin/syndication/{submission.pk}/decline/", {"reason": "  "}, HTTP_HOST="portal.localhost")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.OFFERED
    with pytest.raises(services.SubmissionError):
        services.decline(submission.pk, site=cluster.sites["portal"], user=cluster.user("portal", "editor"), reason="")
    client.post(
        f"/admin/syndication/{submission.pk}/decline/", {"reason": "内容与要闻定位不符"}, HTTP_HOST="portal.localhost"
    )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.DECLINED and submission.reason == "内容与要闻定位不符"
    login(client, cluster, "jyj", "editor")
    mine = get(client, "jyj", "/admin/syndication/").content.decode()
    assert "未采用" in mine and "内容与要闻定位不符" in mine
    assert "教育局报送但未被采用" not in get(client, "portal", "/zwdt/yw/").content.decode()
    # Declined items may be offered again; a pending one may not be offered twice.
    offer_through_admin(client, cluster, "jyj", page_id, yw_id)
    assert Submission.objects.filter(page_id=page_id, status=SubmissionStatus.OFFERED).count() == 1
    offer_through_admin(client, cluster, "jyj", page_id, yw_id)
    assert Submission.objects.filter(page_id=page_id, source_tenant__code="jyj").count() == 2


def test_isolation_between_departments(cluster, client, publish_in, yw_id):
    publish_in("jyj", "教育局自己的报送")
    jtj_page = publish_in("jtj", "交通局的保密报送记录")
    # Page ids are per schema: jtj's page must not share its id with one of jyj's, or "jyj offers
    # jtj's page" below would be jyj offering its own.
    while CatalogueEntry.objects.filter(tenant=cluster.sites["jyj"], page_id=jtj_page).exists():
        jtj_page = publish_in("jtj", "交通局的保密报送记录")
    offer_through_admin(client, cluster, "jtj", jtj_page, yw_id)
    jtj_submission = Submission.objects.get(source_tenant__code="jtj", page_id=jtj_page)

    login(client, cluster, "jyj", "editor")
    screen = get(client, "jyj", "/admin/syndication/").content.decode()
    assert "交通局的保密报送记录" not in screen
    # Acting on jtj's submission from jyj's admin is refused as if it did not exist.
    client.post(f"/admin/syndication/{jtj_submission.pk}/withdraw/", HTTP_HOST="jyj.localhost")
    client.post(f"/admin/syndication/{jtj_submission.pk}/adopt/", HTTP_HOST="jyj.localhost")
    jtj_submission.refresh_from_db()
    assert jtj_submission.status == SubmissionStatus.OFFERED
    with pytest.raises(services.SubmissionError):
        services.withdraw(jtj_submission.pk, site=cluster.sites["jyj"], user=cluster.user("jyj", "editor"))
    # jyj cannot offer jtj's page either: the page id is looked up in jyj's own catalogue rows.
    response = offer_through_admin(client, cluster, "jyj", jtj_page, yw_id)
    assert not Submission.objects.filter(source_tenant__code="jyj", page_id=jtj_page).exists()
    assert response.status_code in (200, 404)
    # A jyj editor has no role on the portal: no admin there, and the service refuses adoption.
    login(client, cluster, "jyj", "editor")
    assert is_refused(client.get("/admin/syndication/", HTTP_HOST="portal.localhost"), "portal.localhost")
    client.post(f"/admin/syndication/{jtj_submission.pk}/adopt/", HTTP_HOST="portal.localhost")
    jtj_submission.refresh_from_db()
    assert jtj_submission.status == SubmissionStatus.OFFERED
    with pytest.raises(services.SubmissionError):
        services.adopt(jtj_submission.pk, site=cluster.sites["portal"], user=cluster.user("jyj", "editor"))
    # The portal's reviewer sees the queue but may not decide.
    with pytest.raises(services.SubmissionError):
        services.adopt(jtj_submission.pk, site=cluster.sites["portal"], user=cluster.user("portal", "reviewer"))
    # The offering site cannot adopt its own offer.
    with pytest.raises(services.SubmissionError):
        services.adopt(jtj_submission.pk, site=cluster.sites["jtj"], user=cluster.user("jtj", "site_admin"))
    assert list(services.visible_submissions(cluster.user("jyj", "site_admin"), cluster.sites["jyj"])) == []
    assert jtj_submission in services.visible_submissions(cluster.user("portal", "editor"), cluster.sites["portal"])


def test_withdraw_and_only_live_items(cluster, client, publish_in, yw_id, in_site):
    page_id = publish_in("jtj", "撤回测试")
    offer_through_admin(client, cluster, "jtj", page_id, yw_id)
    submission = Submission.objects.get(page_id=page_id, source_tenant__code="jtj")
    client.post(f"/admin/syndication/{submission.pk}/withdraw/", HTTP_HOST="jtj.localhost")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.WITHDRAWN
    with pytest.raises(services.SubmissionError):
        services.adopt(submission.pk, site=cluster.sites["portal"], user=cluster.user("portal", "editor"))
    in_site("jtj")
    draft = ArticlePage(title="未发布的稿件", live=False)
    content.column("gzdt").add_child(instance=draft)
    connection.set_schema_to_public()
    with pytest.raises(services.SubmissionError, match="已发布"):
        services.offer(
            source=cluster.sites["jtj"],
            page_id=draft.pk,
            target=cluster.sites["portal"],
            column_id=yw_id,
            user=cluster.user("jtj", "editor"),
        )
    # A column that does not accept offers is refused.
    in_site("portal")
    bmdt = content.column("bmdt").pk
    connection.set_schema_to_public()
    with pytest.raises(services.SubmissionError, match="不接受"):
        services.offer(
            source=cluster.sites["jtj"],
            page_id=page_id,
            target=cluster.sites["portal"],
            column_id=bmdt,
            user=cluster.user("jtj", "editor"),
        )
    # The reviewer of the department is not an offering role.
    with pytest.raises(services.SubmissionError):
        services.offer(
            source=cluster.sites["jtj"],
            page_id=page_id,
            target=cluster.sites["portal"],
            column_id=yw_id,
            user=cluster.user("jtj", "reviewer"),
        )
