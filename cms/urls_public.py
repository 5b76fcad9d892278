"""URLs of the public-schema host: the cluster directory only, no Wagtail screens."""

from django.urls import include, path

from cms import documents
from sites import sso
from sites import views as site_views
from sites.console import views as console_views
from sites.oidc import views as oidc_views

urlpatterns = [
    path("healthz", site_views.healthz, name="healthz"),
    path("readyz", site_views.readyz, name="readyz"),
    path("sso/check/", sso.check, name="sso_check"),
    path("sso/adopt/", sso.adopt, name="sso_adopt"),
    # OpenID Connect back-channel logout: the provider's logout ends our sessions (sites/oidc/backchannel.py).
    path("oidc/backchannel-logout/", oidc_views.backchannel_logout, name="oidc_backchannel_logout"),
    path("api/search/", include("search.urls")),
    # No admin on this host (no Wagtail tables in the public schema): on to the portal's admin.
    path("admin/", console_views.admin_entry, name="admin_entry"),
    path("", site_views.cluster_directory, name="cluster_directory"),
]
# runserver only: images and other public files of every site; documents are refused there.
urlpatterns += documents.media_urlpatterns()

handler404 = "sites.views.not_found"
handler500 = "sites.views.server_error"
