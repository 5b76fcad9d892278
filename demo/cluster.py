"""The demo cluster a newcomer clicks through: three levels, a province portal above two cities.

江南省人民政府 (``province``) with one department of its own; below it 江城市 (``portal``, the city the
demo started with: three departments and 清河县) and 河川市 (``hcs``: one department and 柳溪县).
Codes, hosts and accounts of the first city never change: README, docs and tests name them.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_tenants.utils import schema_context

from cms.models import ArticlePage, ColumnPage
from sites.console.services import update_site_record
from sites.models import Role, Tenant
from sites.provisioning import SiteSpec, create_site
from sites.roles import grant_role
from sites.scope import grant_portal_web_office

from .content import seed_content
from .guard import DemoRefused, ensure_demo_allowed
from .interaction import seed as seed_interaction
from .review import seed as seed_review
from .syndication import seed as seed_syndication

__all__ = ["CITY_WEB_OFFICES", "DEMO_SITES", "DEMO_USERS", "DemoRefused", "ensure_demo_allowed", "seed"]

CITY = "江城市"
PROVINCE = "江南省"
SECOND_CITY = "河川市"


DEMO_SITES = [
    SiteSpec(
        code="portal",
        name=f"{CITY}人民政府",
        kind="portal",
        parent="province",
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
# The province and the second city, appended so the first city's footer numbers stay as they were.
DEMO_SITES += [
    SiteSpec(
        code="province",
        name=f"{PROVINCE}人民政府",
        kind="portal",
        domain="province.localhost",
        details=dict(
            short_name="省政府",
            site_identifier="4400000001",
            org_code="014207100",
            sponsor=f"{PROVINCE}人民政府办公厅",
            organizer=f"{PROVINCE}大数据发展管理局",
        ),
    ),
    SiteSpec(
        code="fgw",
        name=f"{PROVINCE}发展和改革委员会",
        kind="department",
        parent="province",
        domain="fgw.localhost",
        details=dict(
            short_name="省发展改革委",
            site_identifier="4400000011",
            org_code="014207110",
            sponsor=f"{PROVINCE}发展和改革委员会",
            organizer=f"{PROVINCE}发展和改革委员会办公室",
        ),
    ),
    SiteSpec(
        code="hcs",
        name=f"{SECOND_CITY}人民政府",
        kind="portal",
        parent="province",
        domain="hcs.localhost",
        details=dict(
            short_name="河川市政府",
            site_identifier="4402000001",
            org_code="014207500",
            sponsor=f"{SECOND_CITY}人民政府办公室",
            organizer=f"{SECOND_CITY}政务服务数据管理局",
        ),
    ),
    SiteSpec(
        code="hcjtj",
        name=f"{SECOND_CITY}交通运输局",
        kind="department",
        parent="hcs",
        domain="hcjtj.localhost",
        details=dict(
            short_name="河川市交通运输局",
            site_identifier="4402000012",
            org_code="014207501",
            sponsor=f"{SECOND_CITY}交通运输局",
            organizer=f"{SECOND_CITY}交通运输局办公室",
        ),
    ),
    SiteSpec(
        code="lsx",
        name="柳溪县人民政府",
        kind="county",
        parent="hcs",
        domain="lsx.localhost",
        details=dict(
            short_name="柳溪县",
            site_identifier="4402830001",
            org_code="014207601",
            sponsor="柳溪县人民政府办公室",
            organizer="柳溪县政务服务数据管理局",
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
    "province": [
        (
            "zwdt/yw",
            "省政府召开全省数字政府建设推进会",
            "省政府办公厅",
            [
                "会议总结全省数字政府建设进展，部署推进政府网站集约化和政务服务“一网通办”。",
                "会议要求各市加快网站集约化平台建设，统一信息资源库，实现信息一次发布、多端呈现。",
            ],
        ),
        (
            "tzgg",
            "关于做好2027年元旦春节期间有关工作的通知",
            "省政府办公厅",
            ["各市人民政府，省政府各部门：现就做好2027年元旦春节期间有关工作通知如下。"],
        ),
    ],
    "fgw": [
        (
            "zwdt/gzdt",
            "省发展改革委召开全省重大项目建设调度会",
            "省发展改革委",
            ["会议通报了全省重大项目建设进展，要求各地加快项目审批和要素保障，推动项目早开工、早见效。"],
        ),
        (
            "tzgg",
            "关于组织申报2027年省级重点建设项目的通知",
            "省发展改革委",
            ["各市发展改革委：为做好2027年省级重点建设项目申报工作，现将有关事项通知如下。"],
        ),
    ],
    "hcs": [
        (
            "zwdt/yw",
            "河川市召开市政府常务会议 部署冬季安全生产工作",
            "河川市人民政府办公室",
            ["会议要求全市各级各部门压紧压实安全生产责任，深入开展隐患排查整治，确保全市安全形势稳定。"],
        ),
        (
            "tzgg",
            "河川市关于2026年冬季供暖工作的通告",
            "河川市人民政府办公室",
            ["为保障全市冬季供暖工作平稳有序，现将有关事项通告如下：本年度供暖期为11月15日至次年3月15日。"],
        ),
    ],
    "hcjtj": [
        (
            "zwdt/gzdt",
            "河川市交通运输局推进农村公路提档升级",
            "河川市交通运输局",
            ["今年全市完成农村公路提档升级360公里，新增通客车建制村12个。"],
        ),
        (
            "tzgg",
            "关于河川市城市公交线路优化调整的公告",
            "河川市交通运输局",
            ["为方便市民出行，经研究决定，自2026年12月1日起对部分城市公交线路进行优化调整。"],
        ),
    ],
    "lsx": [
        (
            "zwdt/yw",
            "柳溪县召开县政府常务会议 研究部署冬春农田水利建设",
            "柳溪县人民政府办公室",
            ["会议强调，要抢抓冬春有利时机，加快农田水利工程建设，为明年农业丰收打牢基础。"],
        ),
        (
            "zwdt/bmdt",
            "柳溪县农业农村局开展冬季动物防疫督查",
            "柳溪县农业农村局",
            ["督查组深入各乡镇养殖场户，检查免疫记录、消毒措施和病死畜禽无害化处理情况。"],
        ),
        (
            "zwdt/xzdt",
            "柳溪镇建成乡村振兴示范带",
            "柳溪县农业农村局",
            ["柳溪镇沿溪建成12公里乡村振兴示范带，带动沿线8个村发展特色种植和乡村旅游。"],
        ),
        (
            "tzgg",
            "柳溪县2026年冬季征兵工作通告",
            "柳溪县人民政府",
            ["根据上级兵役机关的部署，我县2026年冬季征兵工作现已开始，欢迎适龄青年踊跃报名。"],
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
# Each city's own web office (本级网站办): the system administrator's role bound to its city portal,
# managing that city's subtree only (sites/scope.py). weboffice above is the province's: every site.
CITY_WEB_OFFICES = [
    ("jc_weboffice", "孙江城", "portal"),
    ("hc_weboffice", "周河川", "hcs"),
]
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


def creation_order(specs):
    """``specs`` with every parent before its children (the province first, then the cities ...)."""
    placed, ordered, pending = set(), [], list(specs)
    while pending:
        ready = [spec for spec in pending if spec.parent is None or spec.parent in placed]
        if not ready:
            raise ValueError("演示站点的上级站点不存在或成环：" + ", ".join(spec.code for spec in pending))
        for spec in ready:
            ordered.append(spec)
            placed.add(spec.code)
            pending.remove(spec)
    return ordered


def place_sites(specs, step=print):
    """Give each existing demo site the parent its spec names.

    A demo made before the province existed has 江城市 at the top; re-seeding puts it under the
    province (the same check as the web office's site screen: no cycles, a department keeps a parent).
    """
    for spec in specs:
        tenant = Tenant.objects.filter(code=spec.code).select_related("parent").first()
        current = tenant.parent.code if tenant is not None and tenant.parent_id else None
        if tenant is None or current == spec.parent:
            continue
        update_site_record(tenant, {"parent": spec.parent})
        step(f"站点 {tenant.name} 的上级站点改为 {spec.parent or '无'}")


def seed_users(step=print):
    User = get_user_model()
    hashed = []

    def account(username, full_name):
        user, created = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
        if created:
            # One hash for every demo account (they share the published password): hashing is
            # deliberately slow, about a second each, and the demo has 56 accounts. What
            # ``set_password`` does otherwise is kept: ``_password`` makes ``save`` tell the
            # password policy (history, first-change state) as it would.
            if not hashed:
                hashed.append(make_password(settings.CMS_DEMO_PASSWORD))
            user.password, user._password = hashed[0], settings.CMS_DEMO_PASSWORD
            user.save()
        return user

    for username, full_name, roles in DEMO_USERS:
        with transaction.atomic():
            user = account(username, full_name)
            for code, role in roles:
                tenant = Tenant.objects.get(code=code) if code else None
                grant_role(user, role, tenant)
    for username, full_name, code in CITY_WEB_OFFICES:
        with transaction.atomic():
            grant_portal_web_office(account(username, full_name), Tenant.objects.get(code=code))
    step(f"演示账号 {len(DEMO_USERS) + len(CITY_WEB_OFFICES)} 个（含两个市的本级网站办）")


def seed(step=print):
    """Create whatever part of the demo cluster is missing (idempotent)."""
    ensure_demo_allowed()

    for spec in creation_order(DEMO_SITES):
        if Tenant.objects.filter(code=spec.code).exists():
            step(f"站点 {spec.name} 已存在")
            continue
        step(f"创建站点 {spec.name}（{spec.domain}）")
        create_site(spec)
    place_sites(DEMO_SITES, step)
    seed_users(step)
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
    seed_syndication(step)
