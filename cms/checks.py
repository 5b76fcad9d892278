"""System checks for settings the code relies on."""

from django.conf import settings
from django.core.checks import Error, Warning, register


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


@register()
def translations_compiled(app_configs, **kwargs):
    """The project's zh_Hans catalogue is build output: warn when it is missing or older than its .po."""
    from .translations import catalogues, is_stale

    stale = [str(po) for po, mo in catalogues() if is_stale(po, mo)]
    if stale:
        return [
            Warning(
                f"未编译或已过期的翻译：{', '.join(stale)}",
                hint="运行 make locale（manage.py compile_translations）。",
                id="cms.W001",
            )
        ]
    return []
