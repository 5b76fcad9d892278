"""The demo cluster a newcomer clicks through: a city portal, three departments and a county."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django_tenants.utils import schema_context

from cms.models import ArticlePage, ColumnPage
from sites.models import Role, Tenant
from sites.provisioning import SiteSpec, create_site
from sites.roles import grant_role

from .content import seed_content
from .guard import DemoRefused, ensure_demo_allowed
from .interaction import seed as seed_interaction
from .review import seed as seed_review

__all__ = ["DEMO_SITES", "DEMO_USERS", "DemoRefused", "ensure_demo_allowed", "seed"]

CITY = "江城市"


DEMO_SITES = [
    SiteSpec(
        code="portal",
        name=f"{CITY}人民政府",
        kind="portal",
        domain="portal.localhost",
        aliases=["localhost"],
        details=dict(
            short_name="市政府",
            site_identifier="4401000001",
            org_code="014207264",
            sponsor=f"{CITY}人民政府办公室",
            organizer=f"{CITY}政务服务数据管理局",
        ),
    ),
    SiteSpec(
        code="jtj",
        name=f"{CITY}交通运输局",
        kind="department",
        parent="portal",
        domain="jtj.localhost",
        details=dict(
            short_name="市交通运输局",
            site_identifier="4401000012",
            org_code="014207301",
            sponsor=f"{CITY}交通运输局",
            organizer=f"{CITY}交通运输局办公室",
        ),
    ),
    SiteSpec(
        code="jyj",
        name=f"{CITY}教育局",
        kind="department",
        parent="portal",
        domain="jyj.localhost",
        details=dict(
            short_name="市教育局",
            site_identifier="4401000013",
            org_code="014207302",
            sponsor=f"{CITY}教育局",
            organizer=f"{CITY}教育局办公室",
        ),
    ),
    SiteSpec(
        code="wsjkw",
        name=f"{CITY}卫生健康委员会",
        kind="department",
        parent="portal",
        domain="wsjkw.localhost",
        details=dict(
            short_name="市卫生健康委",
            site_identifier="4401000014",
            org_code="014207303",
            sponsor=f"{CITY}卫生健康委员会",
            organizer=f"{CITY}卫生健康委员会办公室",
        ),
    ),
    SiteSpec(
        code="qhx",
        name="清河县人民政府",
        kind="county",
        parent="portal",
        domain="qhx.localhost",
        details=dict(
            short_name="清河县",
            site_identifier="4401830001",
            org_code="014207401",
            sponsor="清河县人民政府办公室",
            organizer="清河县政务服务数据管理局",
        ),
    ),
]
for index, spec in enumerate(DEMO_SITES):
    spec.details.update(
        icp_number=f"江ICP备0500{index:04d}号",
        police_record_number=f"江公网安备 4401000200{index:04d}号",
        police_record_url="https://beian.mps.gov.cn/",
        contact_phone=f"020-8300{index:04d}",
        contact_address=f"{CITY}人民路 {index + 1} 号",
    )

# (column slug path, title, source, paragraphs)
DEMO_ARTICLES = {
    "portal": [
        (
            "zwdt/yw",
            "市政府召开常务会议 研究部署优化营商环境工作",
            "市政府办公室",
            [
                "会议听取了全市优化营商环境工作进展情况汇报，研究部署下一阶段重点任务。",
                "会议强调，要持续深化“放管服”改革，推动更多政务服务事项“一网通办”。",
            ],
        ),
        (
            "tzgg",
            "关于2026年元旦放假安排的通知",
            "市政府办公室",
            ["根据国务院办公厅通知精神，现将2026年元旦放假安排通知如下：1月1日至3日放假调休，共3天。"],
        ),
    ],
    "jtj": [
        (
            "zwdt/gzdt",
            "市交通运输局开展冬季道路运输安全大检查",
            "市交通运输局",
            [
                "为切实做好冬季道路运输安全工作，市交通运输局组织开展为期一个月的安全大检查。",
                "检查重点包括客运站场、危险货物运输企业和城市公交企业。",
            ],
        ),
        (
            "tzgg",
            "关于公开征求《江城市网络预约出租汽车管理办法（征求意见稿）》意见的公告",
            "市交通运输局",
            ["为进一步规范网络预约出租汽车经营服务行为，现公开征求社会各界意见，征求意见截止日期为2026年12月20日。"],
        ),
    ],
    "jyj": [
        (
            "zwdt/gzdt",
            "2026年江城市义务教育阶段学校招生工作顺利完成",
            "市教育局",
            ["今年全市义务教育阶段学校招生工作平稳有序，共招收一年级新生4.2万人、七年级新生3.8万人。"],
        ),
        (
            "tzgg",
            "关于做好2027年普通高中招生工作的通知",
            "市教育局",
            ["各区县教育局：现就做好2027年普通高中招生工作有关事项通知如下。"],
        ),
    ],
    "wsjkw": [
        (
            "tzgg",
            "关于开展2026年冬季爱国卫生运动的通知",
            "市卫生健康委",
            ["各区卫生健康局：为营造干净整洁的节日环境，决定在全市开展冬季爱国卫生运动，现将有关事项通知如下。"],
        ),
        (
            "zwdt/gzdt",
            "市卫生健康委部署冬春季传染病防控工作",
            "市卫生健康委",
            ["会议要求各级医疗卫生机构加强流感等呼吸道传染病监测预警，做好医疗救治准备。"],
        ),
    ],
    "qhx": [
        (
            "zwdt/yw",
            "清河县召开县委常委会会议 研究部署冬季森林防火工作",
            "清河县人民政府办公室",
            ["会议强调，要严格落实森林防火责任制，加强野外火源管控和巡查值守，确保不发生重特大森林火灾。"],
        ),
        (
            "zwdt/bmdt",
            "清河县市场监督管理局开展冬季食品安全专项检查",
            "清河县市场监督管理局",
            ["检查组深入农贸市场、学校食堂和餐饮单位，重点检查食品进货查验和留样制度落实情况。"],
        ),
        (
            "zwdt/xzdt",
            "清河镇推进高标准农田建设",
            "清河县农业农村局",
            ["今年清河镇新建高标准农田1.2万亩，项目区灌溉保证率达到90%以上。"],
        ),
        (
            "tzgg",
            "清河县2026年度公开招聘事业单位工作人员公告",
            "清河县人力资源和社会保障局",
            ["根据事业单位公开招聘有关规定，县直事业单位面向社会公开招聘工作人员56名。"],
        ),
    ],
}

# username, 姓名, [(site code or None, role)]
# 三员分立: the web office's three administrators, one person each (sites/access.py).
DEMO_USERS = [
    ("weboffice", "王晓明", [(None, Role.SYSTEM_ADMIN)]),
    ("secadmin", "赵安全", [(None, Role.SECURITY_ADMIN)]),
    ("auditor", "钱审计", [(None, Role.AUDIT_ADMIN)]),
]
ADMINISTRATOR_COUNT = 3
for spec in DEMO_SITES:
    DEMO_USERS += [
        (f"{spec.code}_admin", f"{spec.details['short_name']}管理员", [(spec.code, Role.SITE_ADMIN)]),
        (f"{spec.code}_editor", f"{spec.details['short_name']}编辑", [(spec.code, Role.EDITOR)]),
        (f"{spec.code}_reviewer", f"{spec.details['short_name']}审核员", [(spec.code, Role.REVIEWER)]),
        (f"{spec.code}_secrecy", f"{spec.details['short_name']}保密审查员", [(spec.code, Role.SECRECY_OFFICER)]),
        (f"{spec.code}_handler", f"{spec.details['short_name']}互动办理员", [(spec.code, Role.HANDLER)]),
    ]
# One person, different roles on two sites.
DEMO_USERS.append(("zhangwei", "张伟", [("jtj", Role.EDITOR), ("jyj", Role.REVIEWER)]))


def publish_article(column, title, source, paragraphs):
    if column.get_children().filter(title=title).exists():
        return None
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    article = column.add_child(
        instance=ArticlePage(title=title, source=source, summary=paragraphs[0][:120], body=body, live=False)
    )
    article.save_revision().publish()
    return article


def seed(step=print):
    """Create whatever part of the demo cluster is missing (idempotent)."""
    ensure_demo_allowed()

    for spec in DEMO_SITES:
        if Tenant.objects.filter(code=spec.code).exists():
            step(f"站点 {spec.name} 已存在")
            continue
        step(f"创建站点 {spec.name}（{spec.domain}）")
        create_site(spec)
    User = get_user_model()
    for username, full_name, roles in DEMO_USERS:
        with transaction.atomic():
            user, created = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
            if created:
                user.set_password(settings.CMS_DEMO_PASSWORD)
                user.save()
            for code, role in roles:
                tenant = Tenant.objects.get(code=code) if code else None
                grant_role(user, role, tenant)
    step(f"演示账号 {len(DEMO_USERS)} 个")
    for code, articles in DEMO_ARTICLES.items():
        with schema_context(code):
            for path, title, source, paragraphs in articles:
                slug = path.split("/")[-1]
                column = ColumnPage.objects.filter(slug=slug).first()
                if column is not None:
                    publish_article(column, title, source, paragraphs)
    step("演示文章已发布")
    seed_content(step)
    seed_review(step)
    seed_interaction(step)
