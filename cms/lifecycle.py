"""cms's answer to a new site (``sites.signals.site_provisioned``): its home page, the Wagtail Site,
the kind's standard column tree, and the site's role groups with their grants on the home page.

Connected from ``CmsConfig.ready()``; runs inside the provisioning transaction, before
publishing.review's receiver, which builds the review chain on the groups made here.
"""

from wagtail.models import Page, Site

from sites.models import Tenant
from sites.provisioning import create_role_groups, public_port
from sites.signals import site_provisioned

from .columns import build_column_tree
from .models import SiteHomePage


def build_site(sender, tenant, spec, kind, **kwargs):
    home = Page.get_first_root_node().add_child(instance=SiteHomePage(title=spec.name, slug="home"))
    # One Wagtail Site per schema, the default one: hostname only matters for absolute URLs.
    Site.objects.create(
        hostname=spec.domain, port=public_port(), site_name=spec.name, root_page=home, is_default_site=True
    )
    build_column_tree(home, kind)
    create_role_groups(tenant, home)


def register_signal_handlers():
    site_provisioned.connect(build_site, sender=Tenant, dispatch_uid="cms-build-site")
