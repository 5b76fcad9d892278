"""Demo of the review chain on the transport bureau's site (idempotent).

* an article that went editor → 编辑初审 → 部门负责人复审 → 保密审查 → published, with its 保密审查单;
* a draft carrying a classification mark, blocked by the scan with its findings.

Every step is done by a person of the right role through the chain's own code, as in the admin.
"""

from django.db import transaction
from django_tenants.utils import schema_context

from cms.models import ArticlePage, ColumnPage
from sites.models import Role, SiteGroup, Tenant

SITE = "jtj"
REVIEWED_TITLE = "市交通运输局部署国庆假期道路运输保障工作"
REVIEWED_BODY = [
    "为做好国庆假期道路运输保障工作，市交通运输局召开专题会议，对客运组织、安全监管和应急值守作出部署。",
    "会议要求各运输企业加强车辆安全检查，严格落实驾驶员休息制度，确保旅客平安出行。",
]
BLOCKED_TITLE = "关于报送道路运输应急保障方案的通知（草稿）"
BLOCKED_BODY = [
    "秘密★1年",
    "各区交通运输局：请于本月底前报送本辖区道路运输应急保障方案，包括运力储备和重点路段部署。",
]


def _person(tenant, role):
    binding = SiteGroup.objects.filter(tenant=tenant, role=role).select_related("group").first()
    return binding.group.user_set.filter(is_active=True).order_by("username").first() if binding else None


def _act(page, user, action, **data):
    state = page.current_workflow_task_state
    state.task.specific.on_action(state, user, action, **data)


def _draft(column, title, paragraphs, editor):
    article = ArticlePage(
        title=title,
        source="市交通运输局",
        summary=paragraphs[-1][:120],
        body="".join(f"<p>{text}</p>" for text in paragraphs),
        live=False,
        owner=editor,
    )
    column.add_child(instance=article)
    article.save_revision(user=editor)
    article.get_workflow().start(article, editor)
    article.refresh_from_db()
    return article


def seed(step=print):
    tenant = Tenant.objects.sites().filter(code=SITE).first()
    if tenant is None:
        return
    people = {role: _person(tenant, role) for role in Role.site_roles()}
    if not all(people.values()):
        step("审核流程演示：缺少角色人员，跳过")
        return
    with schema_context(tenant.schema_name), transaction.atomic():
        column = ColumnPage.objects.filter(slug="gzdt").first()
        if column is None:
            return
        if not ArticlePage.objects.filter(title=REVIEWED_TITLE).exists():
            article = _draft(column, REVIEWED_TITLE, REVIEWED_BODY, people[Role.EDITOR])
            _act(article, people[Role.REVIEWER], "approve", comment="内容准确，同意。")
            _act(article, people[Role.SITE_ADMIN], "approve", comment="同意发布。")
            _act(
                article,
                people[Role.SECRECY_OFFICER],
                "approve",
                disclosure_attribute="proactive",
                opinion="经审查，内容不涉及国家秘密、工作秘密和个人信息，同意主动公开。",
            )
        if not ArticlePage.objects.filter(title=BLOCKED_TITLE).exists():
            _draft(column, BLOCKED_TITLE, BLOCKED_BODY, people[Role.EDITOR])
    step("审核流程演示：一篇经三审发布（含保密审查单），一篇含密级标志被自动退回")
