"""Demo content of every content type on every demo site (called from ``demo.cluster.seed``).

Idempotent: a page is created only when its slug is missing under its parent, a home page gets
blocks only while it has none, and a site gets a theme only while it has none.
"""

import datetime
import io

from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from PIL import Image as PILImage
from PIL import ImageDraw

from cms.models import (
    AnnualReportIndexPage,
    ArticlePage,
    ColumnPage,
    DisclosureCatalogPage,
    DisclosureDocumentPage,
    InformationPage,
    LeaderPage,
    ServicePage,
    SiteHomePage,
    TopicPage,
)
from sites.models import Tenant
from themes.models import SiteTheme, Theme
from themes.services import assign_theme

from .guard import ensure_demo_allowed

# Which demo site uses which theme: both shipped themes are in use.
DEMO_THEMES = {
    "portal": "blue",
    "jtj": "blue",
    "jyj": "red",
    "wsjkw": "blue",
    "qhx": "red",
    "province": "red",
    "fgw": "blue",
    "hcs": "blue",
    "hcjtj": "red",
    "lsx": "red",
}

# Per site: 文号 prefix, 主题分类 of its documents, leaders, service items and a special topic.
SITE_PROFILES = {
    "portal": dict(
        prefix="江政办发",
        category="general",
        leaders=[
            ("陈志远", "市长", "主持市政府全面工作。"),
            ("刘敏", "常务副市长", "负责市政府常务工作，分管发展改革、财政、审计。"),
        ],
        services=[("企业开办一件事", "江城市市场监督管理局"), ("不动产登记", "江城市自然资源和规划局")],
        topic=(
            "优化营商环境专题",
            "yshj",
            "全面贯彻落实《优化营商环境条例》，打造市场化、法治化、国际化一流营商环境。",
        ),
    ),
    "jtj": dict(
        prefix="江交发",
        category="industry",
        leaders=[
            ("李建国", "党组书记、局长", "主持局全面工作。"),
            ("王芳", "党组成员、副局长", "负责道路运输、安全监督工作。"),
        ],
        services=[("道路货物运输经营许可", "江城市交通运输局"), ("出租汽车驾驶员从业资格注册", "江城市交通运输局")],
        topic=("平安交通专题", "pajt", "深入推进平安交通建设，坚决遏制重特大事故发生。"),
    ),
    "jyj": dict(
        prefix="江教发",
        category="science",
        leaders=[
            ("赵明华", "党组书记、局长", "主持局全面工作。"),
            ("孙丽", "党组成员、副局长", "负责基础教育、招生考试工作。"),
        ],
        services=[("教师资格认定", "江城市教育局"), ("义务教育入学登记", "江城市教育局")],
        topic=("“双减”工作专题", "sj", "持续深化“双减”工作，促进学生全面发展、健康成长。"),
    ),
    "wsjkw": dict(
        prefix="江卫发",
        category="health",
        leaders=[("周文斌", "党组书记、主任", "主持委全面工作。")],
        services=[("医师执业注册", "江城市卫生健康委员会"), ("出生医学证明办理", "江城市卫生健康委员会")],
        topic=("健康江城专题", "jkjc", "实施健康江城行动，提高全民健康水平。"),
    ),
    "qhx": dict(
        prefix="清政办发",
        category="agriculture",
        leaders=[("吴刚", "县长", "主持县政府全面工作。")],
        services=[("农村宅基地审批", "清河县农业农村局"), ("城乡居民养老保险登记", "清河县人力资源和社会保障局")],
        topic=("乡村振兴专题", "xczx", "全面推进乡村振兴，加快农业农村现代化。"),
    ),
    "province": dict(
        prefix="江南政办发",
        category="general",
        leaders=[
            ("林国强", "省长", "主持省政府全面工作。"),
            ("黄秀英", "常务副省长", "负责省政府常务工作，分管发展改革、财政、审计。"),
        ],
        services=[("省级政务服务事项目录", "江南省政务服务管理办公室"), ("企业投资项目备案", "江南省发展和改革委员会")],
        topic=("数字政府建设专题", "szzf", "加快数字政府建设，推进政府网站集约化和政务服务一网通办。"),
    ),
    "fgw": dict(
        prefix="江南发改",
        category="finance",
        leaders=[("郑海涛", "党组书记、主任", "主持委全面工作。")],
        services=[("企业投资项目核准", "江南省发展和改革委员会"), ("政府定价成本监审", "江南省发展和改革委员会")],
        topic=("重大项目建设专题", "zdxm", "聚焦重大项目建设，扩大有效投资，推动高质量发展。"),
    ),
    "hcs": dict(
        prefix="河政办发",
        category="general",
        leaders=[("许卫东", "市长", "主持市政府全面工作。")],
        services=[("个体工商户登记", "河川市市场监督管理局"), ("公租房申请", "河川市住房和城乡建设局")],
        topic=("文明城市创建专题", "wmcj", "巩固全国文明城市创建成果，提升城市文明程度。"),
    ),
    "hcjtj": dict(
        prefix="河交发",
        category="industry",
        leaders=[("冯建军", "党组书记、局长", "主持局全面工作。")],
        services=[("道路旅客运输经营许可", "河川市交通运输局"), ("公路超限运输许可", "河川市交通运输局")],
        topic=("四好农村路专题", "shncl", "建好、管好、护好、运营好农村公路。"),
    ),
    "lsx": dict(
        prefix="柳政办发",
        category="agriculture",
        leaders=[("何志刚", "县长", "主持县政府全面工作。")],
        services=[("农机购置补贴申请", "柳溪县农业农村局"), ("城乡居民医保参保登记", "柳溪县医疗保障局")],
        topic=("美丽乡村专题", "mlxc", "建设宜居宜业和美乡村，绘就乡村振兴新画卷。"),
        towns="柳溪镇、桃源镇、石门乡、青山乡、城南街道",
    ),
}

GUIDE_TEXT = (
    "<p>为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。</p>"
    "<p>一、主动公开：本机关主动公开的政府信息通过本网站“政府信息公开”专栏发布。</p>"
    "<p>二、依申请公开：公民、法人或者其他组织可以通过网上申请、信函申请、当面申请等方式提出申请。</p>"
)


COUNTY_DIRECTORIES = [
    (
        "xzbm",
        "县直部门名录",
        "<p>县发展和改革局、县教育局、县公安局、县民政局、县财政局、县人力资源和社会保障局、县自然资源局、"
        "县住房和城乡建设局、县交通运输局、县农业农村局、县卫生健康局、县市场监督管理局。</p>",
    ),
    (
        "xzjd",
        "乡镇（街道）名录",
        "<p>{towns}。各乡镇（街道）的政务动态在本站“乡镇动态”栏目发布。</p>",
    ),
]


def _image(title, colour):
    from wagtail.images import get_image_model

    Image = get_image_model()
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    picture = PILImage.new("RGB", (1200, 525), colour)
    draw = ImageDraw.Draw(picture)
    for step in range(0, 1200, 60):
        draw.line([(step, 525), (step + 300, 0)], fill=tuple(min(255, c + 30) for c in colour), width=8)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return Image.objects.create(title=title, description=title, file=ImageFile(buffer, name="demo.jpg"))


def _document(title, filename):
    from wagtail.documents import get_document_model

    Document = get_document_model()
    existing = Document.objects.filter(title=title).first()
    if existing:
        return existing
    content = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    return Document.objects.create(title=title, file=SimpleUploadedFile(filename, content))


def _ensure(parent, page):
    """Publish ``page`` under ``parent`` unless a page with its slug is there already."""
    found = parent.get_children().filter(slug=page.slug).first()
    if found is not None:
        return found.specific
    page.live = False
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _column(slug):
    return ColumnPage.objects.filter(slug=slug).first()


def seed_site(code, site_name, parent_name="", kind="department"):
    profile = SITE_PROFILES[code]
    home = SiteHomePage.objects.first()
    if home is None:
        return
    year = datetime.date.today().year
    prefix = profile["prefix"]

    about = _column("gkxx")
    _ensure(
        about,
        InformationPage(
            title="机构概况",
            slug="jggk",
            body=(
                f"<p>{site_name}是{parent_name or '江城市人民政府'}的组成部门，负责本领域的政策制定、行业管理和公共服务。</p>"
                if kind == "department"
                else f"<p>{site_name}是本行政区域的国家行政机关，负责本地区经济社会发展和公共服务。</p>"
            ),
        ),
    )
    duties = _column("jgzn") or about
    _ensure(
        duties,
        InformationPage(
            title="主要职责",
            slug="zyzz",
            body="<p>（一）贯彻执行国家和省有关方针政策和法律法规。</p><p>（二）拟订并组织实施本领域发展规划。</p>",
        ),
    )
    leaders_column = _column("fzrxx") or about
    for index, (name, position, duty) in enumerate(profile["leaders"]):
        _ensure(
            leaders_column,
            LeaderPage(
                title=name,
                slug=f"leader{index + 1}",
                position=position,
                responsibilities=duty,
                photo=_image(f"{name}照片", (60 + 30 * index, 90, 140)),
                resume=f"<p>{name}，男，汉族，大学学历。现任{site_name}{position}。</p>",
            ),
        )

    disclosure = _column("xxgk")
    _ensure(
        disclosure,
        DisclosureCatalogPage(
            title="政府信息公开目录", slug="gkml", intro="按主题分类、年份和体裁浏览本机关公开的政府信息。"
        ),
    )
    _ensure(_column("gkzn"), InformationPage(title=f"{site_name}政府信息公开指南", slug="zn", body=GUIDE_TEXT))
    _ensure(
        _column("gkzd"),
        InformationPage(
            title="政府信息公开保密审查制度",
            slug="bmsc",
            body="<p>坚持“先审查、后公开”和“一事一审”原则，未经保密审查的政府信息不得公开。</p>",
        ),
    )
    _ensure(
        _column("ysqgk"),
        InformationPage(
            title="依申请公开办理流程",
            slug="lc",
            body="<p>申请人提出申请 → 登记受理 → 审查办理 → 答复申请人。法定答复期限为20个工作日。</p>",
        ),
    )
    # A county portal's 县直部门 and 乡镇（街道） columns: the directory of its departments and towns
    # (they are columns of the county portal, not sites: 国办发〔2017〕47号).
    for slug, title, body in COUNTY_DIRECTORIES:
        column = _column(slug)
        if column is not None:
            towns = profile.get("towns", "清河镇、石桥镇、龙潭镇、白沙乡、城关街道")
            _ensure(column, InformationPage(title=title, slug="ml", body=body.format(towns=towns)))
    reports = _ensure(
        _column("gknb"),
        AnnualReportIndexPage(
            title="政府信息公开工作年度报告", slug="ndbg", intro="本机关历年政府信息公开工作年度报告。"
        ),
    )
    _ensure(
        reports,
        DisclosureDocumentPage(
            title=f"{site_name}{year - 1}年政府信息公开工作年度报告",
            slug=f"nb{year - 1}",
            written_date=datetime.date(year, 1, 20),
            topic_category="general",
            genre="annual_report",
            keywords="政府信息公开 年度报告",
            body="<p>本报告根据《中华人民共和国政府信息公开条例》要求编制，包括总体情况、主动公开情况等内容。</p>",
        ),
    )
    documents = [
        ("关于印发本年度工作要点的通知", "notice", "valid", 3, "工作要点"),
        ("关于进一步加强安全生产工作的意见", "opinion", "valid", 8, "安全生产 意见"),
        ("关于开展专项整治行动的通告", "public_notice", "expired", 15, "专项整治"),
        ("关于废止部分规范性文件的决定", "decision", "valid", 21, "规范性文件 清理"),
    ]
    attachment = _document("实施细则", "实施细则.pdf")
    for index, (title, genre, validity, number, keywords) in enumerate(documents):
        parent = _column("zcwj") if index % 2 else _column("fdzdgk")
        _ensure(
            parent,
            DisclosureDocumentPage(
                title=title,
                slug=f"doc{index + 1}",
                written_date=datetime.date(year, 1 + index, 10),
                document_number=f"{prefix}〔{year}〕{number}号",
                topic_category=profile["category"],
                keywords=keywords,
                genre=genre,
                validity=validity,
                summary=f"{title}，请各单位认真贯彻执行。",
                body=f"<p>各有关单位：</p><p>现将{title.removeprefix('关于')}有关事项通知如下，请认真贯彻执行。</p>",
                attachments=[("attachment", {"document": attachment, "title": "附件：实施细则.pdf"})],
            ),
        )

    services = _column("bsfw")
    for index, (title, department) in enumerate(profile["services"]):
        _ensure(
            services,
            ServicePage(
                title=title,
                slug=f"service{index + 1}",
                department=department,
                legal_basis="《中华人民共和国行政许可法》",
                conditions="申请人符合法定条件。",
                materials="申请书\n身份证明材料\n其他法定材料",
                procedure="网上申请\n受理\n审查\n决定\n送达",
                time_limit="承诺时限5个工作日",
                fees="不收费",
                location="江城市政务服务中心",
                office_hours="工作日 9:00—12:00，13:30—17:00",
                phone="020-12345",
                complaint_phone="12345",
                online_url="https://zwfw.example.gov.cn/",
            ),
        )
    _ensure(
        _column("hdjl"),
        ArticlePage(
            title="关于公开征集意见建议的公告",
            slug="zjyj",
            source=site_name,
            summary="欢迎社会各界通过网站留言、电子邮件等方式提出意见建议。",
            body="<p>为提高工作质量，现面向社会公开征集意见建议，欢迎社会各界积极参与。</p>",
        ),
    )
    topic_title, topic_slug, topic_intro = profile["topic"]
    topic = _ensure(
        home,
        TopicPage(
            title=topic_title,
            slug=topic_slug,
            intro=topic_intro,
            banner=_image(f"{topic_title}题图", (150, 30, 30)),
            body=[("paragraph", f"<p>{topic_intro}</p>")],
        ),
    )
    if not home.body:
        news = _column("zwdt")
        home.body = [
            (
                "banner",
                {
                    "slides": [
                        {"title": topic_title, "page": topic, "url": "", "image": _image("焦点图一", (11, 79, 156))},
                        {
                            "title": "政府信息公开",
                            "page": disclosure,
                            "url": "",
                            "image": _image("焦点图二", (29, 111, 184)),
                        },
                    ]
                },
            ),
            ("notices", {"title": "通知公告", "column": _column("tzgg"), "count": 6, "show_summary": False}),
            ("column_latest", {"title": "", "column": news, "count": 6, "show_summary": True}),
            ("leaders", {"title": "领导信息", "column": leaders_column}),
            ("disclosure", {"title": "政府信息公开", "column": disclosure, "count": 5}),
            (
                "services",
                {
                    "title": "办事服务",
                    "entries": [
                        {"title": page.title, "page": page, "url": "", "description": page.department}
                        for page in ServicePage.objects.live()
                    ],
                },
            ),
            ("topics", {"title": "专题专栏", "topics": [topic]}),
            (
                "quick_links",
                {
                    "title": "快速链接",
                    "links": [
                        {"title": "中国政府网", "page": None, "url": "https://www.gov.cn/"},
                        {"title": "省政务服务网", "page": None, "url": "https://zwfw.example.gov.cn/"},
                    ],
                },
            ),
        ]
        home.save_revision().publish()


def assign_demo_themes():
    for code, slug in DEMO_THEMES.items():
        tenant = Tenant.objects.filter(code=code).first()
        theme = Theme.objects.filter(slug=slug).first()
        if tenant and theme and not SiteTheme.objects.filter(tenant=tenant).exists():
            assign_theme(theme, tenant)


def seed_content(step=print):
    ensure_demo_allowed()

    for code in SITE_PROFILES:
        tenant = Tenant.objects.filter(code=code).select_related("parent").first()
        if tenant is None:
            continue
        with schema_context(code):
            seed_site(code, tenant.name, tenant.parent.name if tenant.parent_id else "", tenant.kind)
    assign_demo_themes()
    step("演示内容（各类页面与两套主题）已就绪")
