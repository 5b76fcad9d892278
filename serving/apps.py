from django.apps import AppConfig


class ServingConfig(AppConfig):
    """Serving the public: the whole-page cache and its WSGI front (cms/wsgi.py).

    Serving is not publishing: it reads what every other app changes, so it listens to their signals
    (pages, view restrictions, themes, sites) and none of them has to know it is there, except to
    ask for a purge of their own site.
    """

    name = "serving"
    verbose_name = "页面服务"

    def ready(self):
        from . import pagecache

        pagecache.register_signal_handlers()
