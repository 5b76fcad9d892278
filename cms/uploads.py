"""Checks on uploaded images and attachments, with messages an editor understands.

Wagtail's image field already checks the size, the real format (not just the extension) and the
pixel count from the header; these forms give those refusals clear Chinese messages, decode every
image in full (a truncated or corrupt picture passed the header checks and failed later, as a 500
on both upload screens), check attachments by content as well as by extension, and hand every
upload to the virus scanner named by ``CMS_ATTACHMENT_SCANNER`` (a dotted path to
``scan(uploaded_file) -> None | str``: ``None`` when clean, otherwise the reason shown to the editor).
"""

import shutil
import struct
import tempfile
import warnings
import zlib
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from PIL import Image, ImageSequence
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # doc, xls, wps (compound file)
ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # docx, xlsx, ofd, zip
# What the first bytes of each allowed attachment type must be: a renamed .exe is refused.
ATTACHMENT_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "doc": (OLE,),
    "xls": (OLE,),
    "wps": (OLE,),
    "docx": ZIP,
    "xlsx": ZIP,
    "ofd": ZIP,
    "zip": ZIP,
}


def scan_upload(uploaded_file):
    """Run the configured virus scanner; raise ValidationError when it reports a problem."""
    dotted = getattr(settings, "CMS_ATTACHMENT_SCANNER", "")
    if not dotted:
        return
    scanner = import_string(dotted)
    uploaded_file.seek(0)
    try:
        verdict = scanner(uploaded_file)
    finally:
        uploaded_file.seek(0)
    if verdict:
        raise ValidationError(
            _("文件未通过病毒扫描（%(reason)s），已拒绝上传。") % {"reason": verdict}, code="infected"
        )


# Room kept free beyond the upload itself: renditions of an image take several times its size.
STORAGE_HEADROOM_FACTOR = 3
STORAGE_HEADROOM_BYTES = 1024 * 1024


def check_storage(uploaded):
    """Refuse an upload up front when the site's media directory is unwritable or too full.

    Failing here gives the editor a message and saves nothing; failing in the middle of a save
    would leave a record without its file.
    """
    directory = Path(settings.MEDIA_ROOT) / (connection.schema_name or "public")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".write-check-"):
            pass
        free = shutil.disk_usage(directory).free
    except OSError as exc:
        raise ValidationError(
            _("服务器存储当前不可写（%(reason)s），文件未保存。请稍后再试或联系网站管理员。")
            % {"reason": exc.strerror or exc.__class__.__name__},
            code="storage_unwritable",
        ) from exc
    needed = (uploaded.size or 0) * STORAGE_HEADROOM_FACTOR + STORAGE_HEADROOM_BYTES
    if free < needed:
        raise ValidationError(
            _("服务器存储空间不足（剩余 %(free)s），文件未保存。请联系网站管理员清理空间。")
            % {"free": filesizeformat(free)},
            code="storage_full",
        )


def image_error_messages():
    allowed = "、".join(ext.upper() for ext in settings.WAGTAILIMAGES_EXTENSIONS)
    max_size = filesizeformat(settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE)
    return {
        "invalid_image": _("上传的文件不是有效的图片，或图片已损坏。请上传 %(allowed)s 格式的图片。")
        % {"allowed": allowed},
        "invalid_image_extension": _("不支持该图片格式，请上传 %(allowed)s 格式的图片。") % {"allowed": allowed},
        "invalid_image_known_format": _(
            "文件扩展名 .%(extension)s 与文件的实际格式（%(image_format)s）不符，请上传真实的图片文件。"
        ),
        "file_too_large": _("图片太大（%(file_size)s），单张图片不能超过 %(max_filesize)s，请压缩后再上传。"),
        "file_too_large_unknown_size": _("图片太大，单张图片不能超过 %(max_filesize)s。") % {"max_filesize": max_size},
        "file_too_many_pixels": _(
            # No %(num_pixels)s: Wagtail passes its English "unknown number" when Pillow refused to count.
            "图片像素过多，最多允许 %(max_pixels_count)s 像素。该文件可能是“解压炸弹”，为保护系统已拒绝上传。"
        ),
    }


DAMAGED_IMAGE = _("图片已损坏或不完整（可能是上传中断或文件导出出错），无法读取。请重新导出或重新上传完整的图片。")
# What Pillow raises for a picture it cannot decode: truncated data (OSError), a broken structure
# (SyntaxError from its parsers), bad sizes or tables (ValueError, struct.error), a bad zlib stream.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error, zlib.error)


def check_image_decodes(uploaded):
    """Decode the whole picture with Pillow; raise ValidationError when it is damaged.

    ``verify()`` checks the file's structure (every PNG chunk's checksum); it says little about a
    JPEG, so every frame is then ``load()``ed, which reads all of the picture data. Pixels are
    bounded before anything is decoded: Wagtail's field has checked the header's width × height ×
    frames against WAGTAILIMAGES_MAX_IMAGE_PIXELS, the frames are counted again here, and Pillow's
    decompression-bomb limit (set from the same setting in cms/apps.py) is made an error.
    Relies on Pillow's default ``ImageFile.LOAD_TRUNCATED_IMAGES = False``.
    """
    max_pixels = getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", None) or Image.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            uploaded.seek(0)
            with Image.open(uploaded) as picture:
                picture.verify()
            uploaded.seek(0)
            with Image.open(uploaded) as picture:
                pixels = 0
                for frame in ImageSequence.Iterator(picture):
                    pixels += frame.width * frame.height
                    if pixels > max_pixels:
                        raise Image.DecompressionBombError(f"{pixels} pixels")
                    frame.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            image_error_messages()["file_too_many_pixels"]
            % {"num_pixels": _("未知数量"), "max_pixels_count": max_pixels},
            code="file_too_many_pixels",
        ) from None
    except _DECODE_ERRORS as exc:
        raise ValidationError(DAMAGED_IMAGE, code="damaged_image") from exc
    finally:
        uploaded.seek(0)


class DecodedImageField(WagtailImageField):
    """Wagtail's image field, whose checks end with the full decode of ``check_image_decodes``.

    Wagtail's pixel check already decodes the picture (through Willow) and lets Pillow's OSError
    for a truncated file escape as a 500: that becomes the damaged-image form error here too.
    """

    def to_python(self, data):
        try:
            uploaded = super().to_python(data)
        except _DECODE_ERRORS as exc:
            raise ValidationError(DAMAGED_IMAGE, code="damaged_image") from exc
        if uploaded is not None:
            check_image_decodes(uploaded)
        return uploaded


class ImageForm(BaseImageForm):
    """Wagtail's image form with Chinese refusals, a full decode and the virus-scanner hook.

    The single and the multiple upload screens (and the chooser's upload tab) all build their
    upload form from this class, so each refusal is a form error there, before anything is stored.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if field is not None:
            # Wagtail's form factory makes the file field a WagtailImageField whatever the form
            # declares; this form's copy (fields are copied per form) becomes the decoding one,
            # which adds behaviour and no state.
            if type(field) is WagtailImageField:
                field.__class__ = DecodedImageField
            field.error_messages.update(image_error_messages())

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded and "file" in self.changed_data:
            scan_upload(uploaded)
            check_storage(uploaded)
        return uploaded


def check_attachment(uploaded):
    """Refuse attachments whose extension is not allowed or whose content does not match it."""
    name = uploaded.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = [ext.lower() for ext in settings.WAGTAILDOCS_EXTENSIONS]
    if extension not in allowed:
        raise ValidationError(
            _("不允许上传该类型的附件。允许的类型：%(allowed)s。") % {"allowed": "、".join(allowed)},
            code="invalid_extension",
        )
    uploaded.seek(0)
    head = uploaded.read(2048)
    uploaded.seek(0)
    signatures = ATTACHMENT_SIGNATURES.get(extension)
    if signatures and not head.startswith(signatures):
        raise ValidationError(
            _("文件内容与扩展名 .%(extension)s 不符，请确认上传的是真实的 %(upper)s 文件。")
            % {"extension": extension, "upper": extension.upper()},
            code="content_mismatch",
        )
    if extension == "txt" and b"\x00" in head:
        raise ValidationError(_("文件内容不是文本，请确认上传的是真实的 TXT 文件。"), code="content_mismatch")


class DocumentForm(BaseDocumentForm):
    """Wagtail's document form: allowed types checked by content, a size limit, the scanner hook."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            max_size = filesizeformat(settings.WAGTAILDOCS_MAX_UPLOAD_SIZE)
            self.fields["file"].error_messages.update(
                {
                    "file_too_large": _("附件太大（%(file_size)s），单个附件不能超过 %(max_filesize)s。"),
                    "file_too_large_unknown_size": _("附件太大，单个附件不能超过 %(max_filesize)s。")
                    % {"max_filesize": max_size},
                }
            )

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded and "file" in self.changed_data:
            check_attachment(uploaded)
            scan_upload(uploaded)
            check_storage(uploaded)
        return uploaded
