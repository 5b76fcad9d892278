"""A labelled corpus for the confidentiality scan: realistic government sentences with the verdict
and the rules each must (and must only) trigger. Every tricky negative stands for a precision
decision documented in publishing/confidentiality/rules.py.

Personal data here is made up: the 身份证号 were built to carry a valid check digit, the card
numbers to pass Luhn, the mobile numbers are not known to be anyone's.
"""

from dataclasses import dataclass

from publishing.confidentiality.engine import WordRule

# The web office's lists as the tests see them. Names are fictional.
WORD_ENTRIES = [
    WordRule("张明园", "suggest", "张明远", note="市长姓名误写", list_name="领导姓名"),
    WordRule("人民政付", "suggest", "人民政府", list_name="常见错别字"),
    WordRule("中华人民共合国", "block", "中华人民共和国", note="严重表述错误", list_name="严重表述错误"),
    WordRule("内部口令", "block", list_name="保密"),
    WordRule("未经核实", "flag", list_name="审慎表述"),
    WordRule("VPN翻墙", "flag", list_name="审慎表述"),
]


@dataclass(frozen=True)
class Case:
    text: str
    verdict: str
    rules: frozenset = frozenset()

    def __init__(self, text, verdict, *rules):
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "verdict", verdict)
        object.__setattr__(self, "rules", frozenset(rules))


MARK = "classification_mark"
INTERNAL = "internal_notice"
STATEMENT = "classified_statement"
QUOTED = "quoted_mark"
ID = "id_number"
MOBILE = "mobile_number"
CARD = "bank_card"
WORD = "wordlist"

CASES = [
    # --- Classification marks: refused outright ------------------------------------------------
    Case("机密★10年\n测试市人民政府关于2024年度重点项目资金安排的报告", "block", MARK),
    Case("秘密★1年\n关于做好国庆期间重大活动安保工作的通知", "block", MARK),
    Case("绝密★长期  市委办公室2023年6月印发", "block", MARK),
    Case("绝密★启用前\n2024年测试市初中学业水平考试数学试卷", "block", MARK),
    Case("秘密 ★ 6个月\n专题会议纪要（第12期）", "block", MARK),
    Case("机密★2025年12月31日前\n关于调整部分区域规划的请示", "block", MARK),
    Case("密级：秘密    保密期限：5年    紧急程度：特急", "block", MARK),
    Case("密级：机密★10年\n测试市国家安全工作领导小组办公室", "block", MARK),
    Case("秘密★１年 关于印发应急预案的通知", "block", MARK),
    Case("机密☆3年 关于重点目标防护工作的通知", "block", MARK),
    # --- 内部资料 / 内部文件 notices -----------------------------------------------------------
    Case("内部资料 注意保存\n2023年第5期 工作简报", "block", INTERNAL),
    Case("内部文件，请勿外传。附件：春节期间值班安排表", "block", INTERNAL),
    Case("（内部资料）测试市交通运输局信息简报", "block", INTERNAL),
    Case("内部资料\n测试市教育局办公室 2024年6月编印", "block", INTERNAL),
    Case("本刊为内部资料，仅供领导参阅。", "block", INTERNAL),
    Case("【内部文件】关于调整领导班子成员分工的通知", "block", INTERNAL),
    # --- The item says it is classified ---------------------------------------------------------
    Case("本文件涉密，不得在互联网上发布。", "block", STATEMENT),
    Case("此件涉密，用后请交回办公室。", "block", STATEMENT),
    Case("本文件属国家秘密，未经批准不得复制、摘抄。", "block", STATEMENT),
    Case("本材料含涉密内容，仅供参会人员使用。", "block", STATEMENT),
    Case("此件属机密级，请妥善保管。", "block", STATEMENT),
    Case("本通知涉及国家秘密，请按规定范围传达。", "block", STATEMENT),
    # --- A mark quoted in a training text goes to the reviewer ----------------------------------
    Case("涉密文件应当在首页左上角标注密级和保密期限，如“秘密★1年”。", "review", QUOTED),
    Case("培训中讲解了“绝密★长期”“机密★10年”等密级标志的含义。", "review", QUOTED),
    # --- Personal data: flagged for the reviewer ------------------------------------------------
    Case("经查，当事人王某（身份证号：450102199003072513）未按规定办理登记。", "review", ID),
    Case("申请人刘某某，公民身份号码32058319780615002X，现住测试市青秀区。", "review", ID),
    Case("申请人陈某，身份证号510107199508230001x。", "pass"),  # 19 characters: not an ID number
    Case("如有疑问请联系王老师，手机13877120001。", "review", MOBILE),
    Case("报名咨询：138-7712-0002（李老师）", "review", MOBILE),
    Case("材料请发送至 +86 139 7712 0003 或当面提交。", "review", MOBILE),
    Case("退款将汇入申请人银行卡6228480012345678903，请注意查收。", "review", CARD),
    Case("补贴发放账户：6217 0012 3456 7890 122（户主张某某）", "review", CARD),
    Case("信用卡号4367421234567896已挂失。", "review", CARD),
    Case("联系人：张某，电话13977112345，身份证号110105198512120030。", "review", MOBILE, ID),
    # --- Word lists: block / flag / suggest -----------------------------------------------------
    Case("副市长张明园出席会议并讲话。", "pass", WORD),
    Case("测试市人民政付办公室关于印发2024年工作要点的通知", "pass", WORD),
    Case("热烈庆祝中华人民共合国成立75周年", "block", WORD),
    Case("会议通报了部分单位内部口令管理不规范的问题。", "block", WORD),
    Case("网传消息未经核实，请以官方发布为准。", "review", WORD),
    Case("严禁在办公电脑上使用vpn翻墙软件。", "review", WORD),
    Case("严禁在办公电脑上使用ＶＰＮ翻墙软件。", "review", WORD),
    # --- Several rules at once ----------------------------------------------------------------
    Case("秘密★1年\n联系人：张某 13877120001", "block", MARK, MOBILE),
    Case("内部资料 注意保密\n副市长张明园在会上强调", "block", INTERNAL, WORD),
    # --- Secrecy as a subject, and numbers that are not personal data: no hit -------------------
    Case("各单位要认真贯彻落实《中华人民共和国保守国家秘密法》，加强保密宣传教育。", "pass"),
    Case("坚持涉密信息不上网、上网信息不涉密的原则，严格落实信息发布保密审查制度。", "pass"),
    Case("秘密花园景区位于测试市青秀区，国庆期间免费开放。", "pass"),
    Case("“秘密花园”主题展览将于5月开幕。", "pass"),
    Case("市保密局印发《机密文件管理规定》，对机密文件的传递作出规范。", "pass"),
    Case("国家秘密的密级分为“绝密”“机密”“秘密”三级。", "pass"),
    Case("定密责任人要准确确定密级和保密期限，及时做好解密工作。", "pass"),
    Case("本文件不涉密，可在政府网站公开发布。", "pass"),
    Case("经审查，本文件不属于国家秘密，同意主动公开。", "pass"),
    Case("经审查，该信息不涉及国家秘密，同意公开。", "pass"),
    Case("该文件涉密，相关责任人已被严肃处理。", "pass"),  # a case report about another document
    Case("密级：公开    公开方式：主动公开", "pass"),
    Case("密级：非涉密", "pass"),
    Case("本次培训内容包括保密法律法规、涉密载体管理、涉密人员管理等。", "pass"),
    Case("全市共有涉密单位126家，涉密人员1350人，已全部完成保密培训。", "pass"),
    Case("《内部资料性出版物管理办法》自2015年3月1日起施行。", "pass"),
    Case("本刊为内部资料性出版物，准印证号：桂内资准字第0123号。", "pass"),
    Case("各部门要加强内部资料管理，规范内部文件印发流程。", "pass"),
    Case("内部文件管理系统已于近日上线试运行。", "pass"),
    Case("本文件自印发之日起施行，有效期5年。", "pass"),
    Case("12345政务服务便民热线24小时受理群众诉求，也可拨打0771-12345。", "pass"),
    Case("索引号：014207264/2012-04779  文号：通政办发〔2012〕216号", "pass"),
    Case("客服电话：400-800-1234，银行服务热线95588。", "pass"),
    Case("公示期间如有异议，请拨打监督电话0771-5551234或07715551234。", "pass"),
    Case("去年全市地区生产总值13500000000元，同比增长5.2%。", "pass"),
    Case("合计金额￥13912345678.50，已全额拨付。", "pass"),
    Case("中标人身份证号：450102********2513，联系电话：138****8000。", "pass"),
    Case("身份证号码450102199003072514填写有误，请更正。", "pass"),  # wrong check digit
    Case("出生日期不存在的号码440304200102290011不予受理。", "pass"),  # 2001-02-29
    Case("统一社会信用代码：91450100MA5KXT3B2Q、914501001234567890。", "pass"),
    Case("快递单号SF1380013800012，订单编号202313877120001。", "pass"),
    Case("公安机关备案号：45010202000123，政府网站标识码4501000001。", "pass"),
    Case("银行账号：4500 1234 5678 9000 012（财政零余额账户）", "pass"),  # fails Luhn
    Case("卡号6228480012345678904有误。", "pass"),  # fails Luhn
    Case("ISBN 978-7-5012-3456-7，邮政编码530022，传真0771-2801234。", "pass"),
    Case("第十四届全国人民代表大会第二次会议于2024年3月5日在北京开幕。", "pass"),
    Case("2023年全市12345热线共受理来电1380013人次，办结率99.2%。", "pass"),
]
