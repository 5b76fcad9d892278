"""import_content: .txt, .md and .html into articles of one column; --publish scans first; files
that are not text are refused."""

import io
import random
import zipfile
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection

from cms.models import ArticlePage
from publishing.catalogue.models import CatalogueEntry
from tests.cms import content

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(tmp_path):
    def write(name, text, encoding="utf-8"):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return str(path)

    return write


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("import_content", *args, stdout=out, stderr=err)
    finally:
        connection.set_schema_to_public()
    return out.getvalue(), err.getvalue()


def articles(cluster, **filters):
    """Articles of jtj; the connection stays in jtj's schema for lazy look-ups (the autouse
    fixture returns it to public after the test)."""
    connection.set_tenant(cluster.sites["jtj"])
    return list(ArticlePage.objects.filter(**filters).order_by("pk"))


def test_txt_md_and_html_are_imported_as_drafts(cluster, files):
    txt = files(
        "会议.txt", "市交通运输局召开导入测试会议\n\n会议强调，\n要压实责任。\n\n第二段内容。\n", encoding="gb18030"
    )
    md = files(
        "说明.md",
        "# 导入测试的Markdown稿件\n\n## 一、工作要求\n\n这是**重点**和*说明*，详见[通知](https://www.gov.cn/a.html)。\n\n"
        "- 第一项\n- 第二项\n\n1. 步骤一\n2. 步骤二\n\n<script>alert(1)</script> [坏链接](javascript:alert(1))\n",
    )
    html = files(
        "旧网站.html",
        "<html><head><title>旧标题</title><script>steal()</script></head><body>"
        '<h1>旧网站迁移的文章</h1><p onclick="x()">正文<img src=x onerror=alert(1)></p>'
        '<a href="javascript:alert(1)">坏链接</a><svg><script>alert(2)</script></svg>'
        '<iframe src="https://evil.example/"></iframe><p style="background:url(javascript:x)">样式</p></body></html>',
    )
    out, _ = run("--site", "jtj", "--column", "gzdt", txt, md, html)
    assert "已导入 3 篇" in out
    pages = {
        page.title: page
        for page in articles(cluster, title__contains="导入测试") + articles(cluster, title="旧网站迁移的文章")
    }
    text = pages["市交通运输局召开导入测试会议"]
    assert text.body == "<p>会议强调，要压实责任。</p><p>第二段内容。</p>"
    assert not text.live and text.get_parent().slug == "gzdt"
    md_body = pages["导入测试的Markdown稿件"].body
    assert "<h2>一、工作要求</h2>" in md_body
    assert "<strong>重点</strong>" in md_body and "<em>说明</em>" in md_body
    assert 'href="https://www.gov.cn/a.html"' in md_body
    assert "<ul><li>第一项</li><li>第二项</li></ul>" in md_body and "<ol><li>步骤一</li><li>步骤二</li></ol>" in md_body
    assert "<script" not in md_body and "javascript:" not in md_body
    html_body = pages["旧网站迁移的文章"].body
    for bad in ("<script", "onerror", "onclick", "javascript:", "<svg", "<iframe", "steal()", "旧标题", "<h1"):
        assert bad not in html_body.lower(), bad
    assert "正文" in html_body and "坏链接" in html_body
    # Drafts are not in the catalogue.
    assert not CatalogueEntry.objects.filter(title="旧网站迁移的文章").exists()


def test_publish_scans_and_keeps_classified_items_as_drafts(cluster, files):
    cache.clear()
    clean = files("公开.txt", "导入后公开发布的动态\n\n今天召开了工作会议。\n")
    secret = files("涉密.txt", "不应上网的导入文件\n\n秘密★1年\n本文件内容……\n")
    out, _ = run("--site", "jtj", "--column", "gzdt", "--publish", clean, secret)
    assert "已导入 2 篇" in out and "已发布 1 篇" in out and "拦截（保留为草稿）1 篇" in out
    assert "涉密.txt" in out and "秘密★1年" in out
    [published] = articles(cluster, title="导入后公开发布的动态")
    [blocked] = articles(cluster, title="不应上网的导入文件")
    assert published.live and published.first_published_at is not None
    assert not blocked.live and blocked.latest_revision is not None
    assert CatalogueEntry.objects.filter(tenant__code="jtj", page_id=published.pk).exists()
    assert not CatalogueEntry.objects.filter(tenant__code="jtj", page_id=blocked.pk).exists()


def test_unknown_site_and_column_are_refused(files):
    path = files("a.txt", "标题\n\n正文\n")
    with pytest.raises(CommandError, match="站点“nosuch”不存在"):
        run("--site", "nosuch", "--column", "gzdt", path)
    with pytest.raises(CommandError, match="栏目“nosuch”不存在"):
        run("--site", "jtj", "--column", "nosuch", path)


def test_unreadable_files_are_reported_and_the_rest_imported(cluster, files, tmp_path):
    good = files("好的.txt", "可以导入的那一篇\n\n正文\n")
    missing = str(tmp_path / "不存在.txt")
    wrong = files("表格.xlsx", "not really")
    empty = files("空.txt", "\n\n")
    with pytest.raises(CommandError, match="3 个文件未能导入"):
        run("--site", "jtj", "--column", "gzdt", missing, good, wrong, empty)
    assert len(articles(cluster, title="可以导入的那一篇")) == 1


def zipfile_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document>" + "内容" * 200 + "</w:document>")
    return buffer.getvalue()


BINARY = {
    "random bytes": random.Random(3).randbytes(4096),
    "a PNG image": content.png_bytes(),
    "a zip archive": zipfile_bytes(),
    "UTF-8 with control characters": "看似标题\n\x00\x01\x02正文\x1b[0m\n".encode(),
    "GB 18030 of private-use characters": "\ue000\ue001标题\n".encode("gb18030"),
}


@pytest.mark.parametrize("case", list(BINARY), ids=list(BINARY))
def test_files_that_are_not_text_are_refused_and_nothing_is_imported(cluster, files, tmp_path, case):
    before = len(articles(cluster))
    connection.set_schema_to_public()
    for suffix in (".txt", ".md", ".html"):
        path = tmp_path / f"伪装{suffix}"
        path.write_bytes(BINARY[case])
        with pytest.raises(CommandError, match="1 个文件未能导入"):
            out, err = run("--site", "jtj", "--column", "gzdt", str(path))
    assert len(articles(cluster)) == before


def test_a_binary_file_is_named_with_its_reason_and_the_good_file_still_imported(cluster, files, tmp_path):
    bad = tmp_path / "损坏.txt"
    bad.write_bytes(random.Random(4).randbytes(2048))
    good = files("正常.txt", "与损坏文件同批导入的正常稿件\n\n正文内容。\n", encoding="gb18030")
    err = StringIO()
    with pytest.raises(CommandError, match="1 个文件未能导入"):
        call_command("import_content", "--site", "jtj", "--column", "gzdt", str(bad), good, stderr=err)
    connection.set_schema_to_public()
    assert "损坏.txt" in err.getvalue() and "不是文本文件" in err.getvalue()
    [page] = articles(cluster, title="与损坏文件同批导入的正常稿件")
    assert page.body == "<p>正文内容。</p>"


def test_text_in_every_accepted_encoding_is_imported(cluster, files):
    paths = [
        files("u8.txt", "UTF-8编码的导入稿件\n\n正文。\n"),
        files("bom.txt", "\ufeff带BOM的导入稿件\n\n正文。\n"),
        files("u16.txt", "\ufeffUTF-16编码的导入稿件\n\n正文。\n", encoding="utf-16-le"),
        files("gbk.md", "# GBK编码的导入稿件\n\n分页符\f之后的正文。\n", encoding="gbk"),
    ]
    out, _ = run("--site", "jtj", "--column", "gzdt", *paths)
    assert "已导入 4 篇" in out
    titles = {page.title for page in articles(cluster, title__contains="编码的导入稿件")}
    titles |= {page.title for page in articles(cluster, title="带BOM的导入稿件")}
    assert titles == {"UTF-8编码的导入稿件", "带BOM的导入稿件", "UTF-16编码的导入稿件", "GBK编码的导入稿件"}
