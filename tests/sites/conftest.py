"""Content made inside a test (rolled back with it) for the isolation and role tests."""

import io
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django_tenants.utils import schema_context
from PIL import Image as PILImage


@dataclass
class SiteContent:
    """Ids of one site's objects; every title carries ``marker`` so a leak shows up in any body."""

    code: str
    marker: str
    home_id: int
    column_id: int
    draft_id: int
    draft_url: str
    draft_revision_id: int
    live_id: int
    live_url: str
    image_id: int
    image_name: str
    document_id: int
    document_url: str


def png_bytes(colour="red"):
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), colour).save(buffer, "PNG")
    return buffer.getvalue()


def make_site_content(code):
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Site

    from cms.models import ArticlePage, ColumnPage

    marker = f"标记{code.upper()}私有"
    with schema_context(code):
        home = Site.objects.get(is_default_site=True).root_page
        column = ColumnPage.objects.get(slug="tzgg")
        draft = column.add_child(
            instance=ArticlePage(title=f"{marker}草稿", slug=f"{code}-draft", live=False, body=f"<p>{marker}正文</p>")
        )
        revision = draft.save_revision()
        image = get_image_model().objects.create(
            title=f"{marker}图片", file=ImageFile(io.BytesIO(png_bytes()), name=f"{code}-photo.png")
        )
        document = get_document_model().objects.create(
            title=f"{marker}附件", file=ContentFile(f"%PDF-1.4 {marker}".encode(), name=f"{code}-file.pdf")
        )
        # The attachment of a live page: public on its own site (cms/documents.py), nowhere else.
        live = column.add_child(
            instance=ArticlePage(
                title=f"{marker}已发布",
                slug=f"{code}-live",
                attachments=[("attachment", {"document": document, "title": ""})],
            )
        )
        live.save_revision().publish()
        return SiteContent(
            code=code,
            marker=marker,
            home_id=home.id,
            column_id=column.id,
            draft_id=draft.id,
            draft_url=draft.get_url(),
            draft_revision_id=revision.id,
            live_id=live.id,
            live_url=live.get_url(),
            image_id=image.id,
            image_name=image.file.name,
            document_id=document.id,
            document_url=document.url,
        )


@pytest.fixture
def content(cluster):
    """jtj's and jyj's objects, keyed by site code."""
    return {code: make_site_content(code) for code in ("jtj", "jyj")}
