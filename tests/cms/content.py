"""Helpers that create content in a site's schema through Wagtail's own publishing path."""

import datetime
import io

from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from cms.models import (
    AnnualReportIndexPage,
    ArticlePage,
    ColumnPage,
    DisclosureCatalogPage,
    DisclosureDocumentPage,
    Genre,
    InformationPage,
    LeaderPage,
    ServicePage,
    SiteHomePage,
    TopicCategory,
    TopicPage,
)


def home():
    return SiteHomePage.objects.get()


def column(slug):
    return ColumnPage.objects.get(slug=slug)


def publish(parent, page):
    """Add ``page`` under ``parent`` as a draft, then publish its revision as an editor would."""
    page.live = False
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def png_bytes(size=(64, 48), colour=(11, 79, 156)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def image(title="测试图片", size=(64, 48)):
    return get_image_model().objects.create(
        title=title, description=f"{title}的说明", file=ImageFile(io.BytesIO(png_bytes(size)), name="test.png")
    )


def document(filename="关于开展安全检查的通知.pdf", content=b"%PDF-1.4\n%test\n"):
    return get_document_model().objects.create(
        title=filename.rsplit(".", 1)[0], file=SimpleUploadedFile(filename, content)
    )


def article(parent=None, title="市交通运输局召开安全生产工作会议", **fields):
    fields.setdefault("source", "办公室")
    fields.setdefault("summary", "会议部署了冬季安全生产工作。")
    fields.setdefault("body", "<p>会议强调，要压实安全生产责任。</p>")
    return publish(parent or column("gzdt") if parent is None else parent, ArticlePage(title=title, **fields))


def disclosure(parent=None, title="关于印发《道路运输安全管理办法》的通知", **fields):
    fields.setdefault("written_date", datetime.date(2026, 3, 1))
    fields.setdefault("document_number", "江交发〔2026〕12号")
    fields.setdefault("topic_category", TopicCategory.INDUSTRY)
    fields.setdefault("keywords", "交通 安全 管理")
    fields.setdefault("genre", Genre.NOTICE)
    fields.setdefault("body", "<p>现将《道路运输安全管理办法》印发给你们，请认真贯彻执行。</p>")
    return publish(parent or column("fdzdgk"), DisclosureDocumentPage(title=title, **fields))


def every_page_type():
    """One live page of every content type in the current site: {type name: page}."""
    pic = image()
    pages = {"home": home(), "column": column("zwdt")}
    pages["article"] = article(column("tzgg"), title="关于做好节日期间值班工作的通知", cover_image=pic)
    pages["disclosure"] = disclosure(
        attachments=[("attachment", {"document": document(), "title": "附件：实施细则.pdf"})]
    )
    xxgk = column("xxgk")
    pages["catalog"] = publish(xxgk, DisclosureCatalogPage(title="政府信息公开目录"))
    reports = publish(column("gknb"), AnnualReportIndexPage(title="政府信息公开工作年度报告"))
    disclosure(reports, title="2025年政府信息公开工作年度报告", genre=Genre.ANNUAL_REPORT, document_number="")
    pages["annual_reports"] = reports
    pages["information"] = publish(
        column("gkxx"), InformationPage(title="机构简介", body="<p>本机关是市政府工作部门。</p>")
    )
    pages["leader"] = publish(
        column("gkxx"),
        LeaderPage(title="李建国", position="党组书记、局长", responsibilities="主持全面工作。", photo=pic),
    )
    pages["service"] = publish(
        column("bsfw"),
        ServicePage(
            title="道路运输经营许可",
            department="市交通运输局",
            materials="申请表\n营业执照",
            procedure="申请\n受理\n审查\n决定",
            online_url="https://zwfw.example.gov.cn/item/123",
        ),
    )
    pages["topic"] = publish(
        home(),
        TopicPage(
            title="优化营商环境专题",
            slug="yshj",
            intro="持续优化营商环境。",
            body=[("paragraph", "<p>专题介绍。</p>")],
        ),
    )
    return pages
