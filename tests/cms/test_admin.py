"""Editors' screens for every content type open, and the publish time / 索引号 are not editable there."""

import pytest
from django.db import connection

from .content import every_page_type

pytestmark = pytest.mark.django_db


def test_edit_screens_of_every_content_type(in_site, cluster, client):
    in_site("jtj")
    pages = {name: page.pk for name, page in every_page_type().items()}
    connection.set_schema_to_public()
    client.force_login(cluster.user("jtj", "site_admin"))
    for name, pk in pages.items():
        response = client.get(f"/admin/pages/{pk}/edit/", HTTP_HOST="jtj.localhost")
        assert response.status_code == 200, name
        html = response.content.decode()
        assert 'name="first_published_at"' not in html, name
        assert 'name="index_number"' not in html, name
    disclosure = client.get(f"/admin/pages/{pages['disclosure']}/edit/", HTTP_HOST="jtj.localhost").content.decode()
    for field in ("written_date", "document_number", "topic_category", "keywords", "genre", "validity"):
        assert f'name="{field}"' in disclosure


def test_add_screen_offers_the_government_types_in_a_column(in_site, cluster, client):
    from .content import column

    in_site("jtj")
    column_pk = column("fdzdgk").pk
    connection.set_schema_to_public()
    client.force_login(cluster.user("jtj", "editor"))
    html = client.get(f"/admin/pages/{column_pk}/add_subpage/", HTTP_HOST="jtj.localhost").content.decode()
    for label in ("政府信息公开文件", "信息页"):
        assert label in html
    # A disclosure column takes what carries a 索引号 and its guides (tests/cms/test_page_types_per_column.py).
    for model_name in ("articlepage", "leaderpage", "servicepage", "columnpage"):
        assert f"/admin/pages/add/cms/{model_name}/{column_pk}/" not in html
