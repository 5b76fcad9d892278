"""A small, realistic corpus of government documents on three sites, and queries with their answers.

Used by the relevance tests (tests/search/test_relevance.py) and bench/search_quality.py. Each
document is published through Wagtail on its site; each query lists every document a reader would
expect (``relevant``) and, where one answer must come first, ``first``. The traps are deliberate:
人民政府 appears everywhere but is not 民政; 医保 documents that never say 医保; a 文号 that other
documents cite; 招生 notices of public and private schools.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Doc:
    key: str
    site: str  # portal / jtj / jyj (the test cluster's sites)
    kind: str  # article / disclosure
    title: str
    summary: str
    body: str
    column: str = ""  # column slug; default: gzdt for articles, fdzdgk for disclosure
    document_number: str = ""
    topic: str = ""  # TopicCategory value for disclosure documents
    keywords: str = ""


@dataclass(frozen=True)
class Query:
    q: str
    relevant: tuple
    first: str = ""
    note: str = ""


SYNONYMS = ["医保 = 医疗保障 = 医疗保险", "社保 = 社会保险", "公积金 = 住房公积金"]

DOCUMENTS = [
    # --- the city portal -----------------------------------------------------------------------
    Doc(
        "portal-civil-affairs-visit",
        "portal",
        "article",
        "市民政局开展春节困难群众走访慰问活动",
        "市民政局组织工作组走访慰问困难群众和特困供养人员。",
        "春节前夕，市民政局组织五个工作组，深入各县（市、区）走访慰问低保对象、特困供养人员和孤儿。"
        "民政部门将持续做好困难群众基本生活保障工作，确保温暖过冬。",
    ),
    Doc(
        "portal-civil-affairs-elderly",
        "portal",
        "article",
        "全市养老服务体系建设推进会召开",
        "会议要求民政系统加快补齐养老服务短板。",
        "会议指出，各级民政部门要加快社区养老服务设施建设，推进医养结合，"
        "发展居家养老服务，让老年人就近享受助餐、助浴等服务。",
    ),
    Doc(
        "portal-government-work-report",
        "portal",
        "article",
        "测试市人民政府召开第十二次常务会议",
        "会议研究部署优化营商环境和重点项目建设工作。",
        "测试市人民政府市长主持召开市政府第十二次常务会议，听取全市重点项目建设情况汇报，"
        "研究部署优化营商环境工作。会议强调，要提高政务服务效能，推动“一网通办”。",
    ),
    Doc(
        "portal-government-inspection",
        "portal",
        "article",
        "市人民政府督查组赴各县区开展专项督查",
        "督查组重点检查安全生产和民生实事落实情况。",
        "按照市人民政府统一部署，市政府督查室牵头组成督查组，对各县（市、区）人民政府"
        "落实安全生产责任和民生实事项目情况开展专项督查。",
    ),
    Doc(
        "portal-216",
        "portal",
        "disclosure",
        "测试市人民政府办公室关于加强政务公开工作的通知",
        "对全市政务公开工作作出部署。",
        "各县（市、区）人民政府，市直各单位：为进一步加强政务公开工作，推进决策、执行、管理、服务、"
        "结果公开，经市人民政府同意，现就有关事项通知如下。",
        document_number="通政办发〔2012〕216号",
        topic="general",
        keywords="政务公开 通知",
    ),
    Doc(
        "portal-cites-216",
        "portal",
        "disclosure",
        "测试市人民政府办公室关于印发政务公开工作要点的通知",
        "印发本年度政务公开工作要点。",
        "根据《测试市人民政府办公室关于加强政务公开工作的通知》（通政办发〔2012〕216号）要求，"
        "现将本年度政务公开工作要点印发给你们，请认真贯彻落实。",
        document_number="通政办发〔2026〕3号",
        topic="general",
        keywords="政务公开 工作要点",
    ),
    Doc(
        "portal-medical-insurance",
        "portal",
        "disclosure",
        "关于做好城乡居民医疗保障参保缴费工作的通知",
        "部署城乡居民基本医疗保险集中参保缴费工作。",
        "各地要按照城乡居民基本医疗保险政策，做好集中参保缴费工作，个人缴费标准为每人每年380元。"
        "医疗保障部门要会同税务部门做好缴费服务。",
        document_number="通医保发〔2026〕5号",
        topic="health",
        keywords="医疗保障 参保",
    ),
    Doc(
        "portal-medical-reimbursement",
        "portal",
        "article",
        "异地就医直接结算服务再扩围",
        "参保人员异地就医可在定点医疗机构直接结算。",
        "市医疗保障局介绍，参保人员在省外定点医疗机构住院和门诊就医，可直接结算医疗费用，无需先行垫付再回参保地报销。",
    ),
    Doc(
        "portal-social-insurance",
        "portal",
        "article",
        "灵活就业人员社会保险参保指南",
        "灵活就业人员可自愿参加企业职工基本养老保险。",
        "灵活就业人员可以个人身份参加企业职工基本养老保险和城镇职工基本医疗保险，"
        "社会保险费由个人缴纳，可通过手机办理参保登记。",
    ),
    Doc(
        "portal-housing-fund",
        "portal",
        "article",
        "住房公积金贷款最高额度调整",
        "双缴存职工家庭住房公积金贷款最高额度提高至80万元。",
        "市住房公积金管理中心发布通知，调整住房公积金个人住房贷款政策，双缴存职工家庭最高贷款额度"
        "提高至80万元，支持缴存职工购买首套住房。",
    ),
    Doc(
        "portal-business-environment",
        "portal",
        "article",
        "我市出台优化营商环境二十条措施",
        "从市场准入、政务服务、要素保障等方面提出二十条措施。",
        "措施提出，企业开办时间压缩至1个工作日以内，工程建设项目审批实行全流程网上办理，"
        "全面推行“一网通办”和“跨省通办”。",
    ),
    Doc(
        "portal-flood-control",
        "portal",
        "article",
        "全市防汛工作会议部署汛期安全工作",
        "会议要求压实防汛责任，确保安全度汛。",
        "会议强调，要压实各级防汛责任，加强水库、河道和地质灾害隐患点巡查，"
        "做好人员转移避险准备，确保人民群众生命财产安全。",
    ),
    # --- 交通运输局 ------------------------------------------------------------------------------
    Doc(
        "jtj-winter-safety",
        "jtj",
        "article",
        "市交通运输局召开冬季安全生产工作会议",
        "会议部署冬季道路运输安全生产工作。",
        "会议要求，各单位要落实安全生产责任，加强“两客一危”车辆动态监控，做好雨雪冰冻天气道路运输保障。",
    ),
    Doc(
        "jtj-safety-responsibility",
        "jtj",
        "disclosure",
        "关于印发《交通运输安全生产责任清单》的通知",
        "明确局机关各科室和直属单位的安全生产责任。",
        "为落实安全生产责任制，现将《交通运输安全生产责任清单》印发给你们。"
        "各单位要对照清单，逐项落实安全生产责任，层层签订责任书。",
        document_number="通交发〔2026〕8号",
        topic="industry",
        keywords="安全生产 责任清单",
    ),
    Doc(
        "jtj-road-maintenance",
        "jtj",
        "article",
        "国省干线公路养护工程全面开工",
        "今年计划实施干线公路养护工程120公里。",
        "市交通运输局启动国省干线公路大中修养护工程，计划实施路面改造120公里，"
        "施工期间将采取分段封闭、半幅通行等交通组织措施。",
    ),
    Doc(
        "jtj-bus-routes",
        "jtj",
        "article",
        "城区新开通三条公交线路",
        "新线路覆盖高铁站和新建居住小区。",
        "为方便市民出行，城区新开通3条公交线路，连接高铁站、市人民医院和新建居住小区，"
        "票价统一为2元，可使用乘车码支付。",
    ),
    Doc(
        "jtj-taxi-regulation",
        "jtj",
        "disclosure",
        "测试市网络预约出租汽车经营服务管理实施细则",
        "规范网约车经营服务行为，保障乘客合法权益。",
        "网约车平台公司应当取得网络预约出租汽车经营许可证，车辆和驾驶员应当取得相应许可，"
        "交通运输主管部门依法实施监督检查。",
        document_number="通交规〔2025〕2号",
        topic="industry",
        keywords="网约车 出租汽车",
    ),
    Doc(
        "jtj-driving-test",
        "jtj",
        "article",
        "道路运输从业人员资格考试安排公布",
        "全年安排道路运输从业资格考试十二次。",
        "道路旅客运输、货物运输驾驶员从业资格考试每月举行一次，考生可通过网上预约报名，考试合格后核发从业资格证件。",
    ),
    Doc(
        "jtj-civil-servant",
        "jtj",
        "article",
        "市交通运输局开展“人民满意公务员”推荐工作",
        "推荐对象须忠诚干净担当、群众认可。",
        "根据市人民政府有关通知要求，市交通运输局组织开展“人民满意公务员”推荐评选工作，"
        "推荐对象应在本职岗位上做出突出贡献。",
    ),
    Doc(
        "jtj-spring-transport",
        "jtj",
        "article",
        "春运期间道路客运组织保障工作启动",
        "春运40天预计发送旅客120万人次。",
        "市交通运输局启动春运道路客运组织保障工作，增开客运班线，加强客运站安全检查，严禁超员超载，保障旅客平安出行。",
    ),
    Doc(
        "jtj-overload",
        "jtj",
        "article",
        "货车超限超载联合治理专项行动开展",
        "交通运输和公安交警部门联合开展治超行动。",
        "专项行动期间，交通运输部门与公安交警部门在主要公路设置检查点，"
        "依法查处货车超限超载违法行为，保护公路设施安全。",
    ),
    # --- 教育局 ---------------------------------------------------------------------------------
    Doc(
        "jyj-enrolment-primary",
        "jyj",
        "disclosure",
        "2026年城区义务教育学校招生工作方案",
        "公布城区公办小学和初中招生划片范围与报名时间。",
        "城区公办义务教育学校实行划片招生、免试就近入学。小学一年级报名时间为7月1日至7月10日，"
        "适龄儿童家长可通过网上报名系统提交材料。",
        document_number="通教发〔2026〕15号",
        topic="science",
        keywords="招生 义务教育",
    ),
    Doc(
        "jyj-enrolment-private",
        "jyj",
        "article",
        "民办义务教育学校招生实行电脑随机录取",
        "民办学校报名人数超过招生计划的，全部实行电脑随机录取。",
        "民办义务教育学校与公办学校同步招生，报名人数超过招生计划的，实行电脑随机录取，"
        "不得以面试、测评等名义选拔学生。",
    ),
    Doc(
        "jyj-gaokao",
        "jyj",
        "article",
        "2026年普通高考报名工作即将开始",
        "高考报名实行网上报名和现场确认。",
        "今年普通高等学校招生全国统一考试报名工作将于11月开始，考生须在规定时间内完成网上报名，"
        "并到县区招生考试机构现场确认。",
    ),
    Doc(
        "jyj-teacher-recruitment",
        "jyj",
        "article",
        "2026年全市中小学教师公开招聘公告",
        "全市公开招聘中小学教师200名。",
        "根据事业单位公开招聘有关规定，市教育局面向社会公开招聘中小学教师200名，"
        "报名采取网上报名方式，笔试内容为教育综合知识。",
    ),
    Doc(
        "jyj-double-reduction",
        "jyj",
        "article",
        "深化“双减”工作提升课后服务质量",
        "全市义务教育学校课后服务实现全覆盖。",
        "市教育局持续深化“双减”工作，规范校外培训机构，全市义务教育学校课后服务实现全覆盖，学生作业负担明显减轻。",
    ),
    Doc(
        "jyj-school-safety",
        "jyj",
        "article",
        "市教育局部署校园安全隐患排查整治",
        "开展校园安全隐患大排查大整治。",
        "市教育局要求各学校落实校园安全主体责任，重点排查消防、食品、校车和防溺水安全隐患，建立隐患整改台账。",
    ),
    Doc(
        "jyj-student-aid",
        "jyj",
        "disclosure",
        "关于做好家庭经济困难学生资助工作的通知",
        "做好学前教育至高中阶段学生资助工作。",
        "各地各校要做好家庭经济困难学生认定，落实国家助学金和免学费政策，确保资助资金及时足额发放到学生手中。",
        document_number="通教发〔2026〕21号",
        topic="science",
        keywords="学生资助 助学金",
    ),
    Doc(
        "jyj-kindergarten",
        "jyj",
        "article",
        "新增公办幼儿园学位3000个",
        "今年新建改扩建公办幼儿园15所。",
        "市教育局实施学前教育提升工程，新建改扩建公办幼儿园15所，新增学位3000个，普惠性幼儿园覆盖率达到90%以上。",
    ),
    Doc(
        "jyj-vocational",
        "jyj",
        "article",
        "职业院校技能大赛我市获奖数创新高",
        "我市选手在省职业院校技能大赛中获一等奖12项。",
        "在全省职业院校技能大赛中，我市职业院校选手共获一等奖12项，汽车维修、电子商务等项目成绩突出。",
    ),
    Doc(
        "jyj-medical-student-insurance",
        "jyj",
        "article",
        "在校学生参加城乡居民医疗保险的提示",
        "在校学生应按时参加城乡居民基本医疗保险。",
        "市教育局提醒，在校学生应以学校为单位参加城乡居民基本医疗保险，学生在校期间发生的医疗费用可按规定报销。",
    ),
    Doc(
        "jyj-traffic-safety-education",
        "jyj",
        "article",
        "教育部门与交通运输部门联合开展学生交通安全教育",
        "进校园宣讲交通安全知识。",
        "市教育局与市交通运输局联合开展交通安全进校园活动，向学生讲解乘车安全和道路交通安全常识，提高学生安全意识。",
    ),
]

QUERIES = [
    Query(
        "民政",
        ("portal-civil-affairs-visit", "portal-civil-affairs-elderly"),
        first="portal-civil-affairs-visit",
        note="民政 hides inside 人民政府 in most documents",
    ),
    Query(
        "通政办发〔2012〕216号",
        ("portal-216", "portal-cites-216"),
        first="portal-216",
        note="exact 文号 first, then documents citing it",
    ),
    Query("通政办发[2012]216号", ("portal-216", "portal-cites-216"), first="portal-216", note="ASCII brackets"),
    Query("招生", ("jyj-enrolment-primary", "jyj-enrolment-private", "jyj-gaokao")),
    Query("招生 -民办", ("jyj-enrolment-primary", "jyj-gaokao"), note="excluded word"),
    Query(
        "安全生产责任",
        ("jtj-safety-responsibility", "jtj-winter-safety", "portal-government-inspection"),
        first="jtj-safety-responsibility",
    ),
    Query('"安全生产责任清单"', ("jtj-safety-responsibility",), first="jtj-safety-responsibility", note="phrase"),
    Query(
        "医保",
        ("portal-medical-insurance", "portal-medical-reimbursement", "jyj-medical-student-insurance"),
        note="synonym: the documents say 医疗保障 / 医疗保险",
    ),
    Query("社保", ("portal-social-insurance",), first="portal-social-insurance", note="synonym 社会保险"),
    Query("公积金贷款", ("portal-housing-fund",), first="portal-housing-fund"),
    Query(
        "交通运输",
        (
            "jtj-winter-safety",
            "jtj-safety-responsibility",
            "jtj-road-maintenance",
            "jtj-taxi-regulation",
            "jtj-civil-servant",
            "jtj-spring-transport",
            "jtj-overload",
            "jyj-traffic-safety-education",
            "jtj-driving-test",
        ),
    ),
    Query("公交线路", ("jtj-bus-routes",), first="jtj-bus-routes"),
    Query("网约车", ("jtj-taxi-regulation",), first="jtj-taxi-regulation"),
    Query("公路养护", ("jtj-road-maintenance",), first="jtj-road-maintenance"),
    Query("春运", ("jtj-spring-transport",), first="jtj-spring-transport"),
    Query("超限超载", ("jtj-overload",), first="jtj-overload"),
    Query("教师招聘", ("jyj-teacher-recruitment",), first="jyj-teacher-recruitment"),
    Query("高考报名", ("jyj-gaokao",), first="jyj-gaokao"),
    Query("双减", ("jyj-double-reduction",), first="jyj-double-reduction"),
    Query("学生资助", ("jyj-student-aid",), first="jyj-student-aid"),
    Query("幼儿园", ("jyj-kindergarten",), first="jyj-kindergarten"),
    Query("校园安全", ("jyj-school-safety",), first="jyj-school-safety"),
    Query(
        "营商环境",
        ("portal-business-environment", "portal-government-work-report"),
        first="portal-business-environment",
    ),
    Query("养老服务", ("portal-civil-affairs-elderly",), first="portal-civil-affairs-elderly"),
    Query("防汛", ("portal-flood-control",), first="portal-flood-control"),
    Query("政务公开", ("portal-216", "portal-cites-216")),
    Query("一网通办", ("portal-business-environment", "portal-government-work-report")),
    Query("交通安全 学生", ("jyj-traffic-safety-education",), first="jyj-traffic-safety-education"),
]
