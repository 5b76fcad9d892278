"""URLs of every site host (tenant schemas)."""

from django.db import transaction
from django.urls import include, path, re_path
from django.views.decorators.cache import never_cache
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.admin.viewsets.pages import page_viewset_registry
from wagtail.documents.views import serve as wagtaildocs_views

from cms import documents, site_pages
from search import views as search_views
from sites import sso
from sites import views as site_views

# Wagtail's page privacy screen, in one transaction with what a restriction changes: the catalogue
# and search rows of the page's subtree (cms.visibility), or neither. Matched before Wagtail's own
# route of the same path, with the decorators Wagtail gives its admin URLs.
privacy_view = never_cache(
    require_admin_access(transaction.atomic(page_viewset_registry.as_view("set_privacy", page_id_kwarg="page_id")))
)

urlpatterns = [
    path("healthz", site_views.healthz, name="healthz"),
    path("readyz", site_views.readyz, name="readyz"),
    path("sso/accept/", sso.accept, name="sso_accept"),
    path("admin/pages/<int:page_id>/privacy/", privacy_view, name="cms_set_privacy"),
    # The login steps (password, second factor, enrolment, forced password change): sites/policy/.
    path("", include("sites.policy.urls")),
    # 统一身份认证登录, its callback, and the logout that ends the provider's session too: sites/oidc/.
    path("", include("sites.oidc.urls")),
    # The same for a province whose identity service speaks CAS: sites/cas/.
    path("", include("sites.cas.urls")),
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
    # What every site has besides its columns (cms/site_pages.py): the footer links to them.
    path("sitemap.xml", site_pages.sitemap_xml, name="sitemap_xml"),
    path("robots.txt", site_pages.robots_txt, name="robots_txt"),
    path("wzdt/", site_pages.site_map, name="site_map"),
    path("wzsm/", site_pages.statement, name="site_statement"),
    path("lxwm/", site_pages.contact, name="site_contact"),
    path("api/search/", include("search.urls")),
    # 互动交流 and 依申请公开 for citizens (/hudong/, /ysqgk/) and their JSON API.
    path("", include("interaction.urls")),
    # 哀悼模式: the stylesheet every public page links, grey while a period covers the site (themes/mourning.py).
    path("", include("themes.mourning_urls")),
]
# runserver only: images and other public files; documents are refused there.
urlpatterns += documents.media_urlpatterns()
urlpatterns += [path("", include(wagtail_urls))]

handler404 = "cms.site_pages.not_found"
handler500 = "sites.views.server_error"
