"""Demo of 互动交流 and 依申请公开 (idempotent): messages and applications in every state.

On the portal's 领导信箱 and the departments' boxes, written as citizens do and handled by the
sites' 互动办理员 and 审核员 through the app's own services (as in the admin):

* a new message nobody has opened; one in progress; one whose reply waits for review;
* one forwarded (转办) by the portal to the transport bureau, answered there, approved, and published
  on the portal's 互动交流 column with the citizen's consent (personal data removed);
* an answer without consent (the citizen sees it by 查询码; the public does not);
* one 不予受理; on the education bureau, one left past its due date; and on 清河县 a letter left
  unanswered for over three months (a veto: the demo's deliberately failing site for supervision);
* on the portal's 互动交流 column, a consultation open now and one closed with its 意见采纳情况, and a
  questionnaire with answers;
* on the transport bureau, 依申请公开 applications: waiting for confirmation, in progress, waiting
  for a 补正, waiting for a third party, extended, and answered (予以公开 / 无法提供).

The demo's 查询码 are printed by ``cluster_info`` (the lookup also needs the phone's last four digits,
which are given here).
"""

import datetime

from django.utils import timezone
from django_tenants.utils import tenant_context

from interaction import services
from interaction.models import DisclosureApplication, Message, Outcome
from interaction.pages.models import ConsultationPage, QuestionKind, QuestionnairePage, QuestionnaireQuestion
from interaction.publication import interaction_column
from sites.models import Role, SiteGroup, Tenant

DEMO_PHONE = "13800001234"  # lookups: the last four digits, 1234


def _person(tenant, role):
    binding = SiteGroup.objects.filter(tenant=tenant, role=role).select_related("group").first()
    return binding.group.user_set.filter(is_active=True).order_by("username").first() if binding else None


def _ago(days, hour=10):
    moment = timezone.localtime() - datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=12, second=0, microsecond=0)


def _write(tenant, days_ago, **fields):
    data = {"name": "陈先生", "phone": DEMO_PHONE, "consent": True, **fields}
    return services.submit_message(tenant, data, now=_ago(days_ago))


def seed_messages(step=print):
    sites = {tenant.code: tenant for tenant in Tenant.objects.sites().filter(code__in=["portal", "jtj", "jyj"])}
    if len(sites) < 3 or Message.objects.filter(tenant__in=sites.values()).exists():
        return
    portal, jtj, jyj = sites["portal"], sites["jtj"], sites["jyj"]
    people = {
        (code, role): _person(tenant, role) for code, tenant in sites.items() for role in (Role.HANDLER, Role.REVIEWER)
    }
    if not all(people.values()):
        step("互动交流演示：缺少互动办理员或审核员，跳过")
        return

    _write(
        portal,
        0,
        kind="mailbox",
        subject="建议延长市民中心周末办事时间",
        body="市民中心周六只开放半天，上班族办事很不方便，建议周末全天开放。",
    )
    processing = _write(
        portal,
        2,
        kind="consult",
        subject="新生儿医保如何办理",
        body="孩子刚出生，请问新生儿医保在哪里办理，需要哪些材料？",
    )
    services.start_handling(processing, people[("portal", Role.HANDLER)], portal)

    forwarded = _write(
        portal,
        6,
        kind="complaint",
        subject="江城大道公交站台破损",
        body="江城大道与人民路口的公交站台顶棚破损多日，下雨天无法候车，请尽快修复。",
    )
    services.forward(forwarded, people[("portal", Role.HANDLER)], portal, jtj, "请市交通运输局核实处理并答复。")
    reply = services.submit_reply(
        forwarded,
        people[("jtj", Role.HANDLER)],
        jtj,
        "您反映的江城大道与人民路口公交站台顶棚破损问题，我局已安排公交集团于 3 日内完成修复，感谢您的监督。",
        answered_by=jtj.name,
    )
    services.review_reply(reply, people[("jtj", Role.REVIEWER)], jtj, approve=True)

    private = _write(
        jtj,
        4,
        kind="consult",
        subject="货车通行证办理咨询",
        body="请问城区货车通行证网上怎么申请，审核需要几天？",
        consent=False,
    )
    answer = services.submit_reply(
        private,
        people[("jtj", Role.HANDLER)],
        jtj,
        "城区货车通行证可在江城市政务服务网“交通运输”栏目在线申请，材料齐全的 2 个工作日内办结。",
    )
    services.review_reply(answer, people[("jtj", Role.REVIEWER)], jtj, approve=True)

    pending = _write(
        jtj,
        3,
        kind="suggest",
        subject="建议增开地铁接驳公交",
        body="江城东站地铁口到产业园没有公交，建议增开接驳线路。",
    )
    services.submit_reply(
        pending,
        people[("jtj", Role.HANDLER)],
        jtj,
        "感谢您的建议，我局将会同公交集团研究开通江城东站至产业园的接驳线路。",
    )

    spam = _write(
        jtj,
        1,
        kind="mailbox",
        subject="推广",
        body="低价代办各类证件，联系微信 xxxx。",
    )
    services.mark_invalid(spam, people[("jtj", Role.HANDLER)], jtj, "广告信息，不予受理。")

    overdue = _write(
        jyj,
        40,
        kind="consult",
        subject="小学入学积分如何计算",
        body="请问外来务工人员子女入学积分的计算办法在哪里可以查到？",
    )
    services.start_handling(overdue, people[("jyj", Role.HANDLER)], jyj)
    step("互动交流演示留言 8 条（查询码见 cluster_info，手机号后四位 1234）")


def _application(tenant, days_ago, **fields):
    data = {
        "applicant_type": "citizen",
        "name": "刘女士",
        "id_number": "440106198502140022",
        "phone": DEMO_PHONE,
        "email": "liu@example.com",
        "address": "江城市人民路 88 号",
        "description": "申请公开 2025 年度江城市公交运营补贴资金的分配明细。",
        "purpose": "了解财政补贴使用情况",
        "provision_form": "electronic",
        "delivery": "email",
        **fields,
    }
    return services.submit_application(tenant, data, now=_ago(days_ago))


def seed_applications(step=print):
    jtj = Tenant.objects.sites().filter(code="jtj").first()
    if jtj is None or DisclosureApplication.objects.filter(tenant=jtj).exists():
        return
    handler = _person(jtj, Role.HANDLER)
    if handler is None:
        return
    today = timezone.localdate()

    def received(days_ago, **fields):
        application = _application(jtj, days_ago, **fields)
        return services.confirm_receipt(application, handler, jtj, on=today - datetime.timedelta(days=days_ago))

    _application(jtj, 0, description="申请公开江城东站综合交通枢纽项目的环境影响评价批复文件。")
    received(3, description="申请公开 2026 年城区道路大修计划及各路段预算。")
    correction = received(5, description="申请公开有关文件。")
    services.request_correction(
        correction,
        handler,
        jtj,
        "请写明所需文件的名称、文号或其他便于查询的特征，于 15 个工作日内补正。",
        on=today - datetime.timedelta(days=2),
    )
    third = received(8, description="申请公开江城公交集团与市交通运输局签订的特许经营协议。")
    services.start_third_party(third, handler, jtj, "江城公交集团有限公司", on=today - datetime.timedelta(days=4))
    extended = received(20, description="申请公开近五年全市出租车经营权有偿使用费收支情况。")
    services.extend(
        extended,
        handler,
        jtj,
        days=15,
        reason="涉及五个年度的大量财务资料，需要调取档案核对",
        approved_by="局长 赵建国",
        on=today,
    )
    disclosed = received(15)
    services.answer_application(
        disclosed,
        handler,
        jtj,
        outcome=Outcome.DISCLOSED,
        detail="所申请的补贴资金分配明细已通过电子邮件发送，请查收。",
    )
    unavailable = received(
        12,
        applicant_type="legal",
        name="江城某运输有限公司",
        id_number="91440101MA5CXXXX1B",
        description="申请公开 1998 年客运线路审批档案。",
    )
    services.answer_application(
        unavailable,
        handler,
        jtj,
        outcome=Outcome.UNAVAILABLE,
        reason="not_held",
        detail="经检索，本机关未保存该年度的客运线路审批档案。",
    )
    step("依申请公开演示申请 7 件（市交通运输局）")


CONSULTATION_OPEN = "关于《江城市公共交通条例（征求意见稿）》公开征求意见的公告"
CONSULTATION_CLOSED = "关于《江城市养犬管理规定（草案）》征求意见情况的反馈"
QUESTIONNAIRE = "江城市公交出行满意度调查"


def _publish(column, page):
    page.live = False
    column.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def seed_participation(step=print):
    """On the portal's 互动交流: a consultation open now (approved and pending comments), one closed
    with its 意见采纳情况, and a questionnaire with answers for its chart."""
    portal = Tenant.objects.sites().filter(code="portal").first()
    if portal is None:
        return
    with tenant_context(portal):
        column = interaction_column()
        if column is None or ConsultationPage.objects.filter(title=CONSULTATION_OPEN).exists():
            return
        now = timezone.now()
        day = datetime.timedelta(days=1)
        body = (
            "<p>第一条 为了规范城市公共交通运营服务，保障乘客合法权益，根据有关法律法规，结合本市实际，制定本条例。</p>"
            "<p>第二条 本市行政区域内城市公共交通的规划、建设、运营、服务及其监督管理，适用本条例。</p>"
        )
        open_page = _publish(
            column,
            ConsultationPage(
                title=CONSULTATION_OPEN,
                summary="为提高立法质量，现将条例征求意见稿全文公布，征求社会各界意见。",
                body=body,
                opens_at=now - 5 * day,
                closes_at=now + 25 * day,
                organiser="江城市交通运输局政策法规科",
            ),
        )
        first = open_page.add_comment(
            text="建议第二条增加对定制公交、夜间公交的规定。", name="周先生", submitted_at=now - 3 * day
        )
        first.approve()
        open_page.add_comment(text="希望明确公交站点无障碍设施的建设标准。", name="吴女士", submitted_at=now - day)
        closed_page = _publish(
            column,
            ConsultationPage(
                title=CONSULTATION_CLOSED,
                summary="《江城市养犬管理规定（草案）》征求意见已结束，现将意见采纳情况公布如下。",
                body="<p>第一条 为了规范养犬行为，保障公民健康和人身安全，维护市容环境和社会秩序，制定本规定。</p>",
                opens_at=now - 60 * day,
                closes_at=now - 30 * day,
                organiser="江城市公安局",
                feedback="<p>共收到意见 2 条，采纳 1 条：关于设置犬只活动区域的建议已在第十二条中体现。</p>",
            ),
        )
        adopted = closed_page.add_comment(text="建议在公园设置犬只活动区域。", submitted_at=now - 50 * day)
        adopted.approve(adopted=True)
        other = closed_page.add_comment(text="建议全面禁止城区养犬。", submitted_at=now - 40 * day)
        other.approve(adopted=False)
        survey = QuestionnairePage(
            title=QUESTIONNAIRE,
            summary="请您花两分钟时间评价公交服务。",
            opens_at=now - 10 * day,
            closes_at=now + 20 * day,
        )
        survey.questions = [
            QuestionnaireQuestion(
                text="您最常用的出行方式", kind=QuestionKind.SINGLE, options="公交\n地铁\n自驾\n骑行"
            ),
            QuestionnaireQuestion(
                text="您希望公交改进哪些方面",
                kind=QuestionKind.MULTIPLE,
                options="准点率\n车厢环境\n线路覆盖\n夜间班次",
            ),
            QuestionnaireQuestion(text="其他意见和建议", kind=QuestionKind.TEXT, required=False),
        ]
        survey = _publish(column, survey)
        single, multiple, text = survey.ordered_questions()
        answers = [
            ("公交", ["准点率", "线路覆盖"]),
            ("地铁", ["夜间班次"]),
            ("公交", ["准点率"]),
            ("骑行", ["车厢环境"]),
        ]
        for choice, picks in answers:
            survey.record_response({single: choice, multiple: picks, text: "希望增加夜间线路。"})
    step("征集调查演示：意见征集 2 个（征集中、已结束）、调查问卷 1 个")


def seed_failing_county(step=print):
    """清河县 left a citizen's letter unanswered for over three months: a 19号 veto, so the web
    office's supervision dashboard has a failing site to show (the rest of the demo passes)."""
    qhx = Tenant.objects.sites().filter(code="qhx").first()
    if qhx is None or Message.objects.filter(tenant=qhx).exists():
        return
    letter = _write(
        qhx,
        100,
        kind="complaint",
        subject="石桥镇集贸市场周边道路长期占道经营",
        body="石桥镇集贸市场周边道路长期被摊贩占用，车辆无法通行，多次反映未见处理。",
    )
    handler = _person(qhx, Role.HANDLER)
    if handler is not None:
        services.start_handling(letter, handler, qhx)
    step("清河县：一封超过 3 个月未答复的留言（监管演示：单项否决）")


def seed(step=print):
    seed_messages(step)
    seed_failing_county(step)
    seed_applications(step)
    seed_participation(step)


def demo_codes():
    """(site, kind, subject, 查询码, status) of the demo messages and applications, for cluster_info."""
    rows = [
        (m.tenant.name, m.get_kind_display(), m.subject, m.code, m.get_status_display())
        for m in Message.objects.select_related("tenant").order_by("received_at")[:12]
    ]
    rows += [
        (a.tenant.name, "依申请公开", a.description[:20], a.code, a.get_status_display())
        for a in DisclosureApplication.objects.select_related("tenant").order_by("submitted_at")[:12]
    ]
    return rows
