"""System checks for settings the code relies on."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def contenttypes_shared_only(app_configs, **kwargs):
    """cms.db keeps the content-type cache across schemas: valid only with one content-type table."""
    if "django.contrib.contenttypes" in getattr(settings, "TENANT_APPS", ()):
        return [
            Error(
                "django.contrib.contenttypes must be in SHARED_APPS only.",
                hint="cms.db keeps content types cached across schemas; per-schema tables would differ.",
                id="cms.E001",
            )
        ]
    return []
