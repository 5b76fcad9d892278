import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
django_application = get_wsgi_application()

from serving.pagecache import PageCacheApp  # noqa: E402 - needs the settings configured above

# Page-cache hits are answered before Django's handler (see PageCacheApp).
application = PageCacheApp(django_application)
