"""使用指南 in the admin (cms/guide.py): the project's docs/guide rendered for staff, and only for staff."""

import pytest

from cms.guide import guide_list, load_guide, render_markdown

pytestmark = pytest.mark.django_db


def test_markdown_keeps_the_text_and_drops_what_could_run():
    html = render_markdown(
        "# 标题\n\n正文 **加粗**\n\n<script>alert(1)</script>\n\n"
        "[坏链接](javascript:alert(2)) [图](x.png) <img src=x onerror=alert(3)>\n\n"
        "| 角色 | 指南 |\n|---|---|\n| 编辑 | [看这里](editor-and-reviewer.md#审核) |\n\n"
        "[代码](../../sites/auth.py) [外部](https://www.gov.cn/)"
    )
    assert "<h1>标题</h1>" in html and "<strong>加粗</strong>" in html
    # raw HTML and the javascript: link stay as visible text, never as markup
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html
    assert "<table>" in html
    # a link to another guide opens it in the viewer, keeping its anchor
    assert 'href="/admin/guide/editor-and-reviewer/#%E5%AE%A1%E6%A0%B8"' in html
    # a link into the repository cannot be served by the admin: text with a title, no href
    assert 'href="../../sites/auth.py"' not in html and "仓库中的文件：../../sites/auth.py" in html
    assert 'href="https://www.gov.cn/" rel="noopener noreferrer" target="_blank"' in html


def test_every_guide_file_is_listed_and_a_bad_name_is_not_found():
    from django.http import Http404

    slugs = [slug for slug, title in guide_list()]
    assert {"web-office", "site-admin", "editor-and-reviewer", "handler"} <= set(slugs)
    assert load_guide("readme").title.startswith("使用指南")
    for bad in ("../architecture", "README.md", "nosuchguide", "..", "web-office/../../operations"):
        with pytest.raises(Http404):
            load_guide(bad)


def test_staff_of_the_site_read_the_guides_and_nobody_else_does(client, cluster):
    host = {"HTTP_HOST": "jtj.localhost"}
    # positive control: an editor of jtj reads the index and a guide, linked from the help menu
    client.force_login(cluster.user("jtj", "editor"))
    index = client.get("/admin/guide/", **host)
    assert index.status_code == 200
    assert "使用指南" in index.content.decode() and "/admin/guide/web-office/" in index.content.decode()
    page = client.get("/admin/guide/editor-and-reviewer/", **host)
    assert page.status_code == 200 and "<h1>" in page.content.decode()
    assert client.get("/admin/guide/nosuchguide/", **host).status_code == 404
    dashboard = client.get("/admin/", **host).content.decode()
    assert "/admin/guide/" in dashboard and "guide.wagtail.org" not in dashboard
    # another site's editor has no admin on jtj, so no guide there either
    client.force_login(cluster.user("jyj", "editor"))
    refused = client.get("/admin/guide/", **host)
    assert refused.status_code in (302, 403) and "使用指南" not in refused.content.decode()
    # the public: sent to the login page
    client.logout()
    anonymous = client.get("/admin/guide/web-office/", **host)
    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"] or "/sso/check/" in anonymous["Location"]
