"""The review chain of a new site (``sites.signals.site_provisioned``), connected from ``ReviewConfig.ready()``.

Runs inside the provisioning transaction after cms's receiver (cms comes first in INSTALLED_APPS):
it finds the home page and the site's role groups itself, and refuses (rolling the site back) if
they are not there yet.
"""

from wagtail.models import Site, Workflow, WorkflowPage, WorkflowTask

from sites.models import Role, SiteGroup, Tenant
from sites.provisioning import ProvisioningError
from sites.signals import site_provisioned

from .models import ReviewStepTask, Step


def create_review_workflow(tenant, home, groups):
    """The site's review chain (先审后发): 初审 → 复审 → 保密审查, each by this site's group only.

    The steps are ``ReviewStepTask``s: their rules (no approving one's own submission, the scan,
    the 保密审查单) are in publishing/review/chain.py.
    """
    workflow = Workflow.objects.create(name=f"{tenant.name}审核流程")
    steps = [
        ("编辑初审", Role.REVIEWER, Step.FIRST_REVIEW),
        ("部门负责人复审", Role.SITE_ADMIN, Step.DEPARTMENT_REVIEW),
        ("保密审查", Role.SECRECY_OFFICER, Step.CONFIDENTIALITY_REVIEW),
    ]
    for order, (name, role, step) in enumerate(steps):
        task = ReviewStepTask.objects.create(name=f"{tenant.code}·{name}", step=step)
        task.groups.set([groups[role]])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
    WorkflowPage.objects.create(workflow=workflow, page=home)
    return workflow


def on_site_provisioned(sender, tenant, **kwargs):
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    groups = {Role(b.role): b.group for b in SiteGroup.objects.filter(tenant=tenant).select_related("group")}
    if site is None or set(groups) != set(Role.site_roles()):
        raise ProvisioningError("审核流程需要站点首页和角色组：cms 须在 publishing.review 之前应答 site_provisioned。")
    create_review_workflow(tenant, site.root_page, groups)


def register_signal_handlers():
    site_provisioned.connect(on_site_provisioned, sender=Tenant, dispatch_uid="review-create-workflow")
