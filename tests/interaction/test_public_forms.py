"""The citizen's pages of 互动交流 and 依申请公开, as a citizen's requests reach them."""

import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import tenant_context

from interaction import abuse, services
from interaction.models import (
    ApplicationStatus,
    DisclosureApplication,
    Message,
    MessageAttachment,
    Status,
)
from interaction.pages.models import ReplyPage

from .public import CSRF_RE, application_form, captcha_of, host, message_form, open_form, post_form

pytestmark = pytest.mark.django_db

PNG_1PX = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _clean(settings, tmp_path):
    settings.CMS_INTERACTION_FILES = tmp_path / "files"
    settings.CMS_INTERACTION_LIMIT_PER_IP = 100
    settings.CMS_INTERACTION_LIMIT_PER_PHONE = 100
    settings.CMS_INTERACTION_LOOKUP_LIMIT_PER_IP = 100
    settings.CMS_INTERACTION_LOOKUP_LIMIT_PER_CODE = 100
    cache.clear()
    yield
    cache.clear()


def _code_from(response, client, code="portal"):
    assert response.status_code == 302, response.content.decode()[:2000]
    done = client.get(response["Location"], HTTP_HOST=host(code))
    assert done.status_code == 200
    found = re.search(r"data-code>([A-Z0-9]+)<", done.content.decode())
    return found.group(1), done


def test_each_kind_of_message_is_accepted_and_answers_a_code_and_the_promised_date(client, cluster):
    for index, kind in enumerate(("mailbox", "consult", "suggest", "complaint")):
        response = post_form(
            client,
            "jtj",
            f"/hudong/write/{kind}/",
            message_form(subject=f"第 {index} 个问题", phone=f"1390000{index}234"),
        )
        code, done = _code_from(response, client, "jtj")
        message = Message.objects.get(code=code)
        assert message.kind == kind and message.tenant == cluster.sites["jtj"] and message.channel == "web"
        assert message.consent is True and message.name == "李四"
        html = done.content.decode()
        assert f"{message.due_date:%Y-%m-%d}" in html
        assert cluster.sites["jtj"].name in html  # rendered in the site's theme, with its header
        assert done["Cache-Control"] == "no-store"


def test_an_unknown_kind_is_not_found(client, cluster):
    assert client.get("/hudong/write/petition/", HTTP_HOST=host("jtj")).status_code == 404
    assert client.get("/hudong/write/consult/", HTTP_HOST=host("jtj")).status_code == 200


def test_bad_fields_are_refused_one_by_one_in_chinese_and_nothing_is_stored(client, cluster):
    response = post_form(client, "portal", "/hudong/write/consult/", message_form(phone="123", subject=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写 11 位手机号码" in html and "请填写标题" in html
    assert not Message.objects.exists()
    # Positive control: the same form, corrected, goes through.
    ok = post_form(client, "portal", "/hudong/write/consult/", message_form())
    assert ok.status_code == 302 and Message.objects.count() == 1


def test_a_wrong_or_reused_captcha_is_refused_and_a_right_one_accepted(client, cluster):
    refused = post_form(client, "portal", "/hudong/write/consult/", message_form(), solve=False)
    assert refused.status_code == 400 and "验证码不正确" in refused.content.decode()
    assert not Message.objects.exists()
    # The data the citizen typed is kept, and the page carries a new CAPTCHA.
    assert "人民路公交站台" in refused.content.decode()
    html = open_form(client, "portal", "/hudong/write/consult/").content.decode()
    token, answer = captcha_of(html)
    data = {"captcha_token": token, "captcha": answer.lower(), **message_form()}
    assert client.post("/hudong/write/consult/", data, HTTP_HOST=host("portal")).status_code == 302
    # One use only: the same token and answer again are refused.
    again = client.post("/hudong/write/consult/", {**data, "subject": "另一个问题"}, HTTP_HOST=host("portal"))
    assert again.status_code == 400 and "验证码不正确" in again.content.decode()
    assert Message.objects.count() == 1


def test_a_missing_captcha_is_refused(client, cluster):
    response = client.post("/hudong/write/consult/", message_form(), HTTP_HOST=host("portal"))
    assert response.status_code == 400 and "请输入验证码" in response.content.decode()
    assert not Message.objects.exists()


def test_the_captcha_is_a_png_served_from_the_site_and_unknown_tokens_are_not_found(client, cluster):
    html = open_form(client, "portal", "/hudong/write/consult/").content.decode()
    token, answer = captcha_of(html)
    image = client.get(f"/hudong/captcha/{token}.png", HTTP_HOST=host("portal"))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image.content.startswith(b"\x89PNG") and image["Cache-Control"] == "no-store"
    assert answer.encode() not in image.content
    assert client.get("/hudong/captcha/nosuchtoken.png", HTTP_HOST=host("portal")).status_code == 404


def test_the_honeypot_refuses_a_bot_and_stores_nothing(client, cluster):
    trapped = post_form(client, "portal", "/hudong/write/consult/", message_form(homepage="http://spam.example/"))
    assert trapped.status_code == 400 and "提交未被受理" in trapped.content.decode()
    assert not Message.objects.exists()
    assert post_form(client, "portal", "/hudong/write/consult/", message_form(homepage="")).status_code == 302


def test_hostile_html_is_shown_escaped(client, cluster):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = post_form(
        client,
        "portal",
        "/hudong/write/suggest/",
        message_form(subject=f"建议{hostile}"[:100], body=f"内容很长的建议 {hostile}"),
    )
    code, done = _code_from(response, client)
    assert "<script>alert" not in done.content.decode() and "&lt;script&gt;" in done.content.decode()
    result = client.post("/hudong/lookup/", {"code": code, "last4": "1234"}, HTTP_HOST=host("portal"))
    html = result.content.decode()
    assert result.status_code == 200 and code in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert" in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_lookup_needs_the_code_and_the_digits_and_says_the_same_for_either_wrong(client, cluster, write_message):
    message = write_message("portal")
    right = client.post("/hudong/lookup/", {"code": message.code, "last4": "5678"}, HTTP_HOST=host("portal"))
    assert right.status_code == 200 and message.subject in right.content.decode()
    assert "待办理" in right.content.decode()
    assert right["Cache-Control"] == "no-store"

    def answer(code, last4):
        response = client.post("/hudong/lookup/", {"code": code, "last4": last4}, HTTP_HOST=host("portal"))
        html = CSRF_RE.sub("", response.content.decode())
        # The form echoes what was typed; the rest of the answer must be identical.
        html = html.replace(f'value="{code}"', "").replace(f'value="{last4}"', "")
        return response.status_code, html, message.subject in html

    wrong_digits = answer(message.code, "0000")
    wrong_code = answer("H" + "2" * 10, "5678")
    assert wrong_digits[2] is False and wrong_code[2] is False
    assert wrong_digits[:2] == wrong_code[:2]
    assert "查询码或手机号码后 4 位不正确" in wrong_digits[1]
    # A message of another site is not found on this one.
    other = client.post("/hudong/lookup/", {"code": message.code, "last4": "5678"}, HTTP_HOST=host("jtj"))
    assert message.subject not in other.content.decode()


def test_the_answered_message_shows_the_approved_reply_and_consent_can_be_withdrawn(client, cluster, write_message):
    portal = cluster.sites["portal"]
    message = write_message("portal", subject="路灯维修咨询", body="请问人民路路灯什么时候修好？")
    handler, reviewer = cluster.user("portal", "handler"), cluster.user("portal", "reviewer")
    reply = services.submit_reply(message, handler, portal, "人民路路灯已于本周修复，感谢您的反映。")
    pending = client.post("/hudong/lookup/", {"code": message.code, "last4": "5678"}, HTTP_HOST=host("portal"))
    assert "人民路路灯已于本周修复" not in pending.content.decode()  # 先审后发: not before approval
    services.review_reply(reply, reviewer, portal, approve=True)
    message.refresh_from_db()
    assert message.status == Status.ANSWERED and message.published_page_id
    shown = client.post("/hudong/lookup/", {"code": message.code, "last4": "5678"}, HTTP_HOST=host("portal"))
    html = shown.content.decode()
    assert "人民路路灯已于本周修复" in html and "已答复" in html and "撤回公开同意" in html
    withdrawn = client.post("/hudong/withdraw/", {"code": message.code, "last4": "5678"}, HTTP_HOST=host("portal"))
    assert withdrawn.status_code == 200 and "已撤回公开同意" in withdrawn.content.decode()
    message.refresh_from_db()
    assert message.consent is False and message.published_page_id is None
    with tenant_context(portal):
        assert not ReplyPage.objects.live().filter(title="路灯维修咨询").exists()
    connection.set_schema_to_public()


def test_withdrawing_needs_the_right_digits(client, cluster, write_message):
    message = write_message("portal")
    refused = client.post("/hudong/withdraw/", {"code": message.code, "last4": "0000"}, HTTP_HOST=host("portal"))
    assert "查询码或手机号码后 4 位不正确" in refused.content.decode()
    message.refresh_from_db()
    assert message.consent is True
    client.post("/hudong/withdraw/", {"code": message.code, "last4": "5678"}, HTTP_HOST=host("portal"))
    message.refresh_from_db()
    assert message.consent is False


def test_an_attachment_is_stored_privately_and_an_oversized_or_corrupt_one_is_refused(client, cluster, settings):
    files_dir = settings.CMS_INTERACTION_FILES

    def post(upload, **changes):
        return post_form(
            client, "portal", "/hudong/write/complaint/", message_form(**changes), files={"attachments": upload}
        )

    corrupt = post(SimpleUploadedFile("照片.png", PNG_1PX[:40], content_type="image/png"))
    assert corrupt.status_code == 400 and "照片.png" in corrupt.content.decode()
    fake_pdf = post(SimpleUploadedFile("材料.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"))
    assert fake_pdf.status_code == 400 and "文件内容与扩展名 .pdf 不符" in fake_pdf.content.decode()
    program = post(SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/octet-stream"))
    assert program.status_code == 400 and "类型不允许上传" in program.content.decode()
    settings.CMS_INTERACTION_MAX_ATTACHMENT_SIZE = 1024
    big = post(SimpleUploadedFile("大文件.pdf", b"%PDF-1.4\n" + b"0" * 2048, content_type="application/pdf"))
    assert big.status_code == 400 and "太大" in big.content.decode()
    assert not Message.objects.exists() and not MessageAttachment.objects.exists()
    assert not files_dir.exists() or not any(files_dir.rglob("*.*"))
    # Positive control: a real picture is accepted and kept outside MEDIA_ROOT.
    ok = post(SimpleUploadedFile("照片.png", PNG_1PX, content_type="image/png"))
    assert ok.status_code == 302
    attachment = MessageAttachment.objects.get()
    stored = files_dir / attachment.file.name
    assert stored.read_bytes() == PNG_1PX
    assert not (settings.MEDIA_ROOT / attachment.file.name).exists()
    assert attachment.file.name.startswith(f"portal/{attachment.message.code}/")


def test_the_application_form_accepts_a_citizen_and_refuses_a_bad_id_number(client, cluster):
    refused = post_form(client, "jyj", "/ysqgk/", application_form(id_number="110105194912310021"))
    assert refused.status_code == 400 and "身份证号码无效" in refused.content.decode()
    assert not DisclosureApplication.objects.exists()
    response = post_form(client, "jyj", "/ysqgk/", application_form())
    code, done = _code_from(response, client, "jyj")
    application = DisclosureApplication.objects.get(code=code)
    assert application.tenant == cluster.sites["jyj"] and application.status == ApplicationStatus.SUBMITTED
    assert application.id_number == "11010519491231002X" and application.provision_form == "electronic"
    assert "20 个工作日" in done.content.decode()


def test_a_legal_person_applies_by_post_with_an_address(client, cluster):
    data = application_form(
        applicant_type="legal", name="测试科技有限公司", id_number="91350100M000100Y43", delivery="post", address=""
    )
    refused = post_form(client, "jyj", "/ysqgk/", data)
    assert refused.status_code == 400 and "选择邮寄时须填写通信地址" in refused.content.decode()
    ok = post_form(client, "jyj", "/ysqgk/", {**data, "address": "测试市人民路 2 号", "provision_form": "paper"})
    code, _ = _code_from(ok, client, "jyj")
    assert DisclosureApplication.objects.get(code=code).delivery == "post"


def test_the_applicant_looks_up_and_answers_a_correction_notice(client, cluster):
    jyj = cluster.sites["jyj"]
    application = services.submit_application(jyj, application_form())
    lookup = client.post("/ysqgk/lookup/", {"code": application.code, "last4": "5678"}, HTTP_HOST=host("jyj"))
    assert lookup.status_code == 200 and "待确认收到" in lookup.content.decode()
    wrong = client.post("/ysqgk/lookup/", {"code": application.code, "last4": "5679"}, HTTP_HOST=host("jyj"))
    assert "公交线路调整" not in wrong.content.decode() and "不正确" in wrong.content.decode()
    handler = cluster.user("jyj", "handler")
    services.confirm_receipt(application, handler, jyj)
    services.request_correction(application, handler, jyj, "请写明所需报告的具体名称或文号。")
    shown = client.post("/ysqgk/lookup/", {"code": application.code, "last4": "5678"}, HTTP_HOST=host("jyj"))
    assert "请写明所需报告的具体名称或文号" in shown.content.decode() and "提交补正" in shown.content.decode()
    # 补正 with the wrong digits does nothing; with the right ones it restarts the clock.
    client.post(
        "/ysqgk/correct/", {"code": application.code, "last4": "0000", "text": "线路论证报告"}, HTTP_HOST=host("jyj")
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CORRECTION
    done = client.post(
        "/ysqgk/correct/",
        {"code": application.code, "last4": "5678", "text": "《2025 年公交线路调整论证报告》"},
        HTTP_HOST=host("jyj"),
    )
    assert done.status_code == 200 and "补正内容已提交" in done.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PROCESSING and application.corrected_on and application.due_date


def test_the_interaction_column_shows_the_forms_lookup_and_published_answers(client, cluster, write_message):
    portal = cluster.sites["portal"]
    message = write_message("portal", subject="已公开的答复标题")
    reply = services.submit_reply(message, cluster.user("portal", "handler"), portal, "答复内容：已经处理完毕。")
    services.review_reply(reply, cluster.user("portal", "reviewer"), portal, approve=True)
    response = client.get("/hdjl/", HTTP_HOST=host("portal"))
    html = response.content.decode()
    assert response.status_code == 200
    for path in (
        "/hudong/write/mailbox/",
        "/hudong/write/consult/",
        "/hudong/write/suggest/",
        "/hudong/write/complaint/",
    ):
        assert f'href="{path}"' in html
    assert 'href="/hudong/lookup/"' in html and "已公开的答复标题" in html
    with tenant_context(portal):
        page = ReplyPage.objects.get(pk=message.published_page_id)
        url = page.url
    connection.set_schema_to_public()
    answer = client.get(url, HTTP_HOST=host("portal"))
    assert answer.status_code == 200 and "答复内容：已经处理完毕。" in answer.content.decode()
    assert "13812345678" not in answer.content.decode()


def test_the_disclosure_column_shows_the_application_entries_instead_of_an_empty_list(client, cluster):
    response = client.get("/xxgk/ysqgk/", HTTP_HOST=host("jtj"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/ysqgk/"' in html and 'href="/ysqgk/lookup/"' in html
    assert "本栏目暂无信息" not in html
    # Another disclosure column keeps its own list.
    other = client.get("/xxgk/gkzd/", HTTP_HOST=host("jtj")).content.decode()
    assert 'href="/ysqgk/"' not in other


@pytest.mark.parametrize("path", ["/hudong/", "/hudong/write/consult/", "/hudong/lookup/", "/ysqgk/", "/ysqgk/lookup/"])
def test_no_interaction_page_is_stored_by_the_page_cache(client, cluster, settings, path):
    settings.CMS_PAGE_CACHE_SECONDS = 300
    first = client.get(path, HTTP_HOST=host("jtj"))
    second = client.get(path, HTTP_HOST=host("jtj"))
    assert first.status_code == second.status_code == 200
    assert first["Cache-Control"] == second["Cache-Control"] == "no-store"
    assert second.get("X-Cache") != "HIT" and first.get("X-Cache") != "MISS"
    if "captcha_token" in first.content.decode():
        assert captcha_of(first.content.decode())[0] != captcha_of(second.content.decode())[0]
    # Positive control: an ordinary page of the same site is cached.
    client.get("/", HTTP_HOST=host("jtj"))
    assert client.get("/", HTTP_HOST=host("jtj"))["X-Cache"] == "HIT"


def test_both_themes_render_the_form(client, cluster):
    from themes.models import SiteTheme, Theme

    red = Theme.objects.get(template_set="red")
    SiteTheme.objects.update_or_create(tenant=cluster.sites["jyj"], defaults={"theme": red})
    html = open_form(client, "jyj", "/hudong/write/mailbox/").content.decode()
    assert "theme-red" in html and "interaction/forms.css" in html
    html = open_form(client, "jtj", "/hudong/write/mailbox/").content.decode()
    assert "theme-blue" in html


def test_the_wsgi_front_never_answers_an_interaction_page_from_the_cache(cluster, settings):
    from tests.front import Front

    settings.CMS_PAGE_CACHE_SECONDS = 300
    settings.CMS_SITE_MAP_RECHECK = 3600  # a host-map recheck would send a hit through Django
    front = Front()
    for path in ("/hudong/write/consult/", "/ysqgk/"):
        answers = [front.get(host("jtj"), path) for _ in range(3)]
        assert all(status == 200 and headers["Cache-Control"] == "no-store" for status, headers, _ in answers)
        assert all(headers.get("X-Cache") != "HIT" for _, headers, _ in answers)
    assert front.django_requests == 6  # every one reached Django: none was replayed
    # Positive control: an ordinary page is replayed by the front once cached.
    for _ in range(3):
        front.get(host("jtj"), "/")
    assert front.django_requests < 9


def test_a_new_captcha_picture_spends_the_old_one(client, cluster):
    html = open_form(client, "portal", "/hudong/write/consult/").content.decode()
    old_token, old_answer = captcha_of(html)
    renewed = client.post("/hudong/captcha/renew/", {"captcha_token": old_token}, HTTP_HOST=host("portal"))
    assert renewed.status_code == 200 and renewed["Cache-Control"] == "no-store"
    new = renewed.json()
    assert new["token"] != old_token and new["url"] == f"/hudong/captcha/{new['token']}.png"
    assert client.get(new["url"], HTTP_HOST=host("portal")).status_code == 200
    assert client.get(f"/hudong/captcha/{old_token}.png", HTTP_HOST=host("portal")).status_code == 404
    stale = client.post(
        "/hudong/write/consult/",
        {"captcha_token": old_token, "captcha": old_answer, **message_form()},
        HTTP_HOST=host("portal"),
    )
    assert stale.status_code == 400 and not Message.objects.exists()
    fresh = client.post(
        "/hudong/write/consult/",
        {"captcha_token": new["token"], "captcha": abuse.captcha_answer(new["token"]), **message_form()},
        HTTP_HOST=host("portal"),
    )
    assert fresh.status_code == 302 and Message.objects.count() == 1
    assert client.get("/hudong/captcha/renew/", HTTP_HOST=host("portal")).status_code == 405


def test_more_than_three_attachments_are_refused(client, cluster):
    files = [SimpleUploadedFile(f"图{index}.png", PNG_1PX, content_type="image/png") for index in range(4)]
    refused = post_form(client, "portal", "/hudong/write/consult/", message_form(), files={"attachments": files})
    assert refused.status_code == 400 and "最多上传 3 个附件" in refused.content.decode()
    assert not Message.objects.exists()
    files = [SimpleUploadedFile(f"图{index}.png", PNG_1PX, content_type="image/png") for index in range(3)]
    ok = post_form(client, "portal", "/hudong/write/consult/", message_form(), files={"attachments": files})
    assert ok.status_code == 302 and MessageAttachment.objects.count() == 3


def test_a_published_answer_renders_in_the_red_theme(client, cluster, write_message):
    from themes.models import SiteTheme, Theme

    jyj = cluster.sites["jyj"]
    SiteTheme.objects.update_or_create(tenant=jyj, defaults={"theme": Theme.objects.get(template_set="red")})
    message = write_message("jyj", subject="红色主题下的答复")
    reply = services.submit_reply(message, cluster.user("jyj", "handler"), jyj, "已转交学校办理，感谢关注。")
    services.review_reply(reply, cluster.user("jyj", "reviewer"), jyj, approve=True)
    with tenant_context(jyj):
        url = ReplyPage.objects.get(pk=Message.objects.get(pk=message.pk).published_page_id).url
    connection.set_schema_to_public()
    html = client.get(url, HTTP_HOST=host("jyj")).content.decode()
    assert "theme-red" in html and "已转交学校办理，感谢关注。" in html and "红色主题下的答复" in html
    assert "答复单位：" in html and jyj.name in html
