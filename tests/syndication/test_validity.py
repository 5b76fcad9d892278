"""有效性 is stored once: after a change every place that shows the document shows the same status."""

import re

import pytest
from django.db import connection

from cms.models import ColumnPage, DisclosureDocumentPage
from publishing.catalogue.models import CatalogueEntry, OutboxEvent
from publishing.syndication import validity
from publishing.syndication.models import DocumentValidity
from search.models import SearchDocument
from sites.models import AuditEvent
from tests.cms import content
from tests.refusals import is_refused

from .conftest import get

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(cluster, in_site, settings):
    settings.CMS_OUTBOX_ENGINES = {"recorder": "tests.engines.RecordingEngine"}
    in_site("portal")
    # A portal policy column that lists the departments' disclosure documents, with their 有效性.
    ColumnPage.objects.filter(slug="zcwj").update(aggregate_from="departments", aggregate_column_class="disclosure")
    in_site("jtj")
    page = content.disclosure(title="关于调整道路运输许可事项的通知")
    connection.set_schema_to_public()
    return page


def status_cell(html, title):
    """The 有效性 cell of ``title``'s row in a disclosure or policy table."""
    row = html[html.index(title) :]
    row = row[: row.index("</tr>")]
    match = re.search(r'<span class="validity validity--(\w+)">([^<]+)</span>', row)
    return match.groups() if match else None


def test_change_shows_the_same_status_everywhere(cluster, client, document, in_site):
    title = "关于调整道路运输许可事项的通知"
    assert DocumentValidity.objects.get(tenant__code="jtj", page_id=document.pk).validity == "valid"
    assert status_cell(get(client, "portal", "/zcwj/").content.decode(), title) == ("valid", "有效")
    in_site("jtj")
    page = DisclosureDocumentPage.objects.get(pk=document.pk)
    validity.change_validity(page, "repealed", actor=cluster.user("jtj", "editor"), reason="已被新办法替代")
    connection.set_schema_to_public()

    path = "/" + document.url_path.split("/", 2)[2]
    document_html = get(client, "jtj", path).content.decode()
    assert '有效性：<strong class="validity validity--repealed">已废止</strong>' in document_html
    assert status_cell(get(client, "jtj", "/xxgk/fdzdgk/").content.decode(), title) == ("repealed", "已废止")
    portal_html = get(client, "portal", "/zcwj/").content.decode()
    assert status_cell(portal_html, title) == ("repealed", "已废止")
    assert "来源：测试市交通运输局" in portal_html
    entry = CatalogueEntry.objects.get(tenant__code="jtj", page_id=document.pk)
    assert entry.validity == "repealed"
    assert SearchDocument.objects.get(entry=entry).validity == "repealed"
    audit = AuditEvent.objects.get(action="validity_changed", tenant_code="jtj")
    assert audit.detail["before"] == "valid" and audit.detail["after"] == "repealed"
    assert OutboxEvent.objects.filter(tenant_code="jtj", page_id=document.pk, action="validity").exists()


def test_disclosure_tables_and_catalogue_page_read_the_store(cluster, client, in_site, settings):
    in_site("jtj")
    page = content.disclosure(title="有效性表格测试文件")
    validity.change_validity(page, "amended", actor=cluster.user("jtj", "site_admin"))
    # A stale page column (an old script, a restored revision) does not change what is shown.
    DisclosureDocumentPage.objects.filter(pk=page.pk).update(validity="valid")
    connection.set_schema_to_public()
    table = get(client, "jtj", "/xxgk/fdzdgk/").content.decode()
    assert '<span class="validity validity--amended">已修改</span>' in table
    assert 'validity--valid"' not in table
    shown = get(client, "jtj", "/" + page.url_path.split("/", 2)[2]).content.decode()
    assert "validity--amended" in shown


def test_republishing_keeps_the_stored_status(cluster, in_site):
    in_site("jtj")
    page = content.disclosure(title="撤下再发布的文件")
    validity.change_validity(page, "expired", actor=cluster.user("jtj", "editor"))
    page = DisclosureDocumentPage.objects.get(pk=page.pk)
    page.unpublish()
    assert not CatalogueEntry.objects.filter(page_id=page.pk, tenant__code="jtj").exists()
    # An edit made from an old form state carries 有效 again; the store wins.
    page.validity = "valid"
    page.title = "撤下再发布的文件（修订）"
    page.save_revision().publish()
    assert CatalogueEntry.objects.get(page_id=page.pk, tenant__code="jtj").validity == "expired"
    assert DisclosureDocumentPage.objects.get(pk=page.pk).current_validity == "expired"


def test_only_the_documents_site_staff_may_change(cluster, client, in_site):
    in_site("jtj")
    page = content.disclosure(title="权限测试文件")
    for user in (cluster.user("jtj", "reviewer"), cluster.user("jyj", "editor"), cluster.user("portal", "site_admin")):
        with pytest.raises(validity.ValidityError):
            validity.change_validity(page, "repealed", actor=user)
    with pytest.raises(validity.ValidityError):
        validity.change_validity(page, "nonsense", actor=cluster.user("jtj", "editor"))
    connection.set_schema_to_public()
    assert DocumentValidity.objects.get(tenant__code="jtj", page_id=page.pk).validity == "valid"

    # Through the admin action: the document's own site editor, with the button on the page.
    client.force_login(cluster.user("jtj", "editor"))
    screen = get(client, "jtj", f"/admin/syndication/validity/{page.pk}/").content.decode()
    assert 'name="validity"' in screen
    client.post(
        f"/admin/syndication/validity/{page.pk}/", {"validity": "repealed", "reason": "废止"}, HTTP_HOST="jtj.localhost"
    )
    assert DocumentValidity.objects.get(tenant__code="jtj", page_id=page.pk).validity == "repealed"
    client.force_login(cluster.user("jtj", "reviewer"))
    response = client.post(f"/admin/syndication/validity/{page.pk}/", {"validity": "valid"}, HTTP_HOST="jtj.localhost")
    assert is_refused(response, "jtj.localhost")
    assert DocumentValidity.objects.get(tenant__code="jtj", page_id=page.pk).validity == "repealed"


def test_edit_form_does_not_offer_a_second_way_to_change_it(cluster, client, in_site):
    in_site("jtj")
    page = content.disclosure(title="编辑表单有效性测试")
    validity.change_validity(page, "amended", actor=cluster.user("jtj", "editor"))
    draft = content.column("fdzdgk")
    connection.set_schema_to_public()
    client.force_login(cluster.user("jtj", "editor"))
    html = get(client, "jtj", f"/admin/pages/{page.pk}/edit/").content.decode()
    field = re.search(r'<select name="validity"[^>]*>', html).group(0)
    assert "disabled" in field
    assert re.search(r'<option value="amended"[^>]*selected', html)
    explorer = get(client, "jtj", f"/admin/pages/{draft.pk}/").content.decode()
    assert f"/admin/syndication/validity/{page.pk}/" in explorer and "变更有效性" in explorer
    new = get(client, "jtj", f"/admin/pages/add/cms/disclosuredocumentpage/{draft.pk}/").content.decode()
    assert "disabled" not in re.search(r'<select name="validity"[^>]*>', new).group(0)
