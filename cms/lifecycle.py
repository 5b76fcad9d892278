"""cms's answer to the sites' lifecycle signals (``sites.signals``).

``site_provisioned``: a new site's home page, the Wagtail Site, the kind's standard column tree,
and the site's role groups with their grants on the home page. Runs inside the provisioning
transaction, before publishing.review's receiver, which builds the review chain on the groups made here.

``site_loaded``: a restored site's rows came in by COPY, past the sanitiser that runs on save, and
a backup file can be edited: every page's and revision's HTML is sanitised again, and the cached
oEmbed HTML dropped. Runs inside the restore transaction, so a failure leaves no site, and before
``site_restored``, so the catalogue indexes the sanitised pages.

``site_restored``: images whose stored names an older release left guessable get the random
prefix once the restore has committed (``image_names``).

Connected from ``CmsConfig.ready()``.
"""

from django.db import transaction
from django_tenants.utils import schema_context
from wagtail.embeds.models import Embed
from wagtail.models import Page, Site

from sites.models import Tenant
from sites.provisioning import create_role_groups, public_port
from sites.signals import site_loaded, site_provisioned, site_restored

from . import image_names
from .columns import build_column_tree
from .models import SiteHomePage
from .sanitize import sanitize_stored_pages


def build_site(sender, tenant, spec, kind, **kwargs):
    home = Page.get_first_root_node().add_child(instance=SiteHomePage(title=spec.name, slug="home"))
    # One Wagtail Site per schema, the default one: hostname only matters for absolute URLs.
    Site.objects.create(
        hostname=spec.domain, port=public_port(), site_name=spec.name, root_page=home, is_default_site=True
    )
    build_column_tree(home, kind)
    create_role_groups(tenant, home)


def sanitize_restored_site(sender, tenant, **kwargs):
    with schema_context(tenant.schema_name):
        sanitize_stored_pages()
        # The oEmbed cache holds HTML that is rendered as it is (a media embed in rich text shows
        # it): an archive's copy is not the provider's answer. It is fetched again when shown.
        Embed.objects.all().delete()


def name_restored_images(sender, tenant, **kwargs):
    """An archive made before image names were unguessable brings its old names back: once the
    restore has committed (its files are copied last), give them the random prefix."""

    def rename():
        image_names.rename_site(tenant)

    transaction.on_commit(rename, robust=True)


def register_signal_handlers():
    site_provisioned.connect(build_site, sender=Tenant, dispatch_uid="cms-build-site")
    site_loaded.connect(sanitize_restored_site, sender=Tenant, dispatch_uid="cms-sanitize-restored")
    site_restored.connect(name_restored_images, sender=Tenant, dispatch_uid="cms-name-restored-images")
