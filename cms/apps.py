from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "内容"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings
        from PIL import Image

        from . import (
            checks,  # noqa: F401 - registers the system checks
            lifecycle,
            signal_handlers,  # noqa: F401 - sanitising on save
        )

        lifecycle.register_signal_handlers()  # a new site's home page, columns and role groups

        # Pillow refuses decompression bombs at twice this many pixels and warns above it; tie it to
        # the upload limit so renditions of an image that slipped past (e.g. an old upload) are safe too.
        limit = getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", None)
        if limit:
            Image.MAX_IMAGE_PIXELS = limit
