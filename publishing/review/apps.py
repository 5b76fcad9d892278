from django.apps import AppConfig


class ReviewConfig(AppConfig):
    """The review chain (先审后发): steps, scan reports, 保密审查单 and force-publications.

    A tenant app: findings and review records are a site's own data and live in its schema, so no
    other site can ever read them.
    """

    name = "publishing.review"
    label = "review"
    verbose_name = "审核与保密审查"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import lifecycle, signal_handlers  # noqa: F401

        lifecycle.register_signal_handlers()  # a new site's review chain
