"""URLs of every site host (tenant schemas)."""

from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents.views import serve as wagtaildocs_views

from cms import documents
from search import views as search_views
from sites import sso
from sites import views as site_views

urlpatterns = [
    path("healthz", site_views.healthz, name="healthz"),
    path("readyz", site_views.readyz, name="readyz"),
    path("sso/accept/", sso.accept, name="sso_accept"),
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's document URLs (same names, so doc.url and the admin point here), through the view
    # that checks who may read the document: the only way to a document (cms/documents.py).
    re_path(r"^documents/(\d+)/(.*)$", documents.serve, name="wagtaildocs_serve"),
    path(
        "documents/authenticate_with_password/<int:restriction_id>/",
        wagtaildocs_views.authenticate_with_password,
        name="wagtaildocs_authenticate_with_password",
    ),
    path("search/", search_views.search_page, name="search"),
    path("api/search/", include("search.urls")),
]
# runserver only: images and other public files; documents are refused there.
urlpatterns += documents.media_urlpatterns()
urlpatterns += [path("", include(wagtail_urls))]

handler404 = "sites.views.not_found"
handler500 = "sites.views.server_error"
