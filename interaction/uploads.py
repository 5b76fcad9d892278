"""Citizens' attachments: checked like every upload, stored where nothing is public.

The checks are the documents' own (cms/uploads.py: the type by extension *and* content, the virus
scanner hook), and pictures are decoded in full as the image library's are, so a renamed program
or a damaged picture is refused with a message and nothing is written. Files are written under
``CMS_INTERACTION_FILES``, never under MEDIA_ROOT, which nginx serves to anyone.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image

from cms.uploads import check_attachment, check_image_decodes, scan_upload

from .models import MessageAttachment

MAX_FILES = 3
MAX_FILE_SIZE = 10 * 1024 * 1024
IMAGE_FORMATS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG"}
NAME_MAX = 120


def max_file_size():
    return getattr(settings, "CMS_INTERACTION_MAX_ATTACHMENT_SIZE", MAX_FILE_SIZE)


def allowed_extensions():
    return [*IMAGE_FORMATS, *(ext.lower() for ext in settings.WAGTAILDOCS_EXTENSIONS)]


def storage():
    """The private store of citizens' files (the field's own storage)."""
    return MessageAttachment._meta.get_field("file").storage


def _extension(name):
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _check_image(uploaded, extension):
    check_image_decodes(uploaded)
    uploaded.seek(0)
    try:
        with Image.open(uploaded) as picture:
            actual = picture.format
    finally:
        uploaded.seek(0)
    if actual != IMAGE_FORMATS[extension]:
        raise ValidationError(f"文件扩展名 .{extension} 与图片的实际格式（{actual}）不符，请上传真实的图片文件。")


def check_files(files):
    """The uploads, each checked; ValidationError (Chinese, naming the file) on the first refusal."""
    files = [uploaded for uploaded in files if uploaded]
    if len(files) > MAX_FILES:
        raise ValidationError(f"最多上传 {MAX_FILES} 个附件。")
    limit = max_file_size()
    for uploaded in files:
        label = f"附件“{uploaded.name[:NAME_MAX]}”"
        if uploaded.size > limit:
            raise ValidationError(
                f"{label}太大（{filesizeformat(uploaded.size)}），单个附件不能超过 {filesizeformat(limit)}。"
            )
        if uploaded.size == 0:
            raise ValidationError(f"{label}是空文件。")
        extension = _extension(uploaded.name or "")
        try:
            if extension in IMAGE_FORMATS:
                _check_image(uploaded, extension)
            else:
                check_attachment(uploaded)  # also refuses what is in neither list
            scan_upload(uploaded)
        except ValidationError as error:
            if extension not in allowed_extensions():
                raise ValidationError(
                    f"{label}的类型不允许上传。允许的类型：{'、'.join(allowed_extensions())}。"
                ) from None
            raise ValidationError(f"{label}：{' '.join(error.messages)}") from None
    return files


def _safe_name(name):
    stem = Path(name or "附件").name.replace("\x00", "")
    return stem[-NAME_MAX:] or "附件"


def attachments_for(files):
    """Unsaved ``MessageAttachment`` rows for checked uploads; ``services.submit_message`` saves them.

    The field's storage is the private one (interaction/storage.py), so saving a row writes there.
    """
    rows = []
    for uploaded in files:
        uploaded.name = _safe_name(uploaded.name)
        rows.append(MessageAttachment(name=uploaded.name, size=uploaded.size, file=uploaded))
    return rows


def open_attachment(attachment):
    """The stored file of an attachment, from the private storage."""
    return storage().open(attachment.file.name, "rb")
