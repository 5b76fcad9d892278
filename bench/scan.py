"""Characters per second of the confidentiality scan against a naive loop over the word list.

Generates a 20,000-character government article and a 10,000-entry word list (seeded, so every
run scans the same text), then times in the same run:
  * the engine (publishing/confidentiality/engine.py: automaton + built-in rules + personal-data pass),
  * a naive loop that looks for each word in turn with str.find, and one with re.finditer,
and prints chars/s of each and the ratios. The engine is pure Python: no database is needed.
    .venv/bin/python bench/scan.py [--chars 20000] [--words 10000] [--repeat 5]
"""

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from publishing.confidentiality.automaton import KeywordAutomaton  # noqa: E402
from publishing.confidentiality.engine import Scanner, WordRule  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--chars", type=int, default=20_000)
parser.add_argument("--words", type=int, default=10_000)
parser.add_argument("--repeat", type=int, default=5)
args = parser.parse_args()

rng = random.Random(2024)

TERMS = (
    "加强 落实 推进 完善 健全 深化 统筹 规范 提升 保障 安全 生产 防汛 抗旱 应急 管理 服务 改革 发展 建设 "
    "项目 资金 监督 检查 考核 评估 政务 公开 信息 平台 数据 共享 营商 环境 优化 审批 事项 办理 群众 企业 "
    "民生 就业 教育 医疗 养老 住房 交通 运输 道路 桥梁 水利 农业 农村 乡村 振兴 生态 环保 污染 治理 "
    "文化 旅游 科技 创新 人才 招商 引资 产业 园区 制造 数字 经济 财政 预算 审计 税收 金融 风险 防范 "
    "安全 稳定 社会 治安 消防 食品 药品 市场 价格 质量 标准 统计 调查 规划 国土 空间 城市 更新 社区 "
    "街道 乡镇 网格 队伍 作风 纪律 廉政 责任 制度 机制 体系 能力 水平 工作 任务 目标 措施 要求 意见 "
    "通知 方案 办法 规定 细则 报告 总结 计划 会议 部署 调度 督导 整改 问题 隐患 排查 宣传 培训 试点"
).split()
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "明华建国志强伟军平东海燕红丽娟霞文斌涛勇杰磊超鹏辉刚健毅峰波宁静敏芳琳雪梅兰春秋冬松柏林森远航宇新民安康泰"
SENTENCES = [
    "为深入贯彻落实市委、市政府关于{a}{b}工作的决策部署，进一步{c}{d}，现就有关事项通知如下。",
    "{a}{b}是一项长期任务，各区县、各部门要切实提高政治站位，把{c}{d}摆在突出位置。",
    "市{a}局召开{b}{c}专题会议，副局长{name}出席会议并讲话，会议要求全面{d}{a}。",
    "截至{year}年{month}月底，全市共完成{a}{b}项目{n}个，累计投入资金{n2}万元，同比增长{pct}%。",
    "各单位要建立健全{a}{b}工作机制，明确责任分工，细化工作措施，确保{c}{d}落到实处。",
    "咨询电话：0771-{tel}，监督电话12345，办公地址：测试市人民路{n}号。",
    "{name}同志强调，要坚持问题导向，聚焦{a}{b}中的难点堵点，持续推动{c}{d}取得新成效。",
    "根据《测试市{a}{b}管理办法》（通政办发〔{year}〕{n}号）规定，对{c}{d}情况开展专项检查。",
    "本次检查共发现{a}{b}问题{n}处，已全部建立整改台账，明确整改时限和责任人。",
    "下一步，我们将以{a}{b}为抓手，统筹推进{c}{d}，为全市高质量发展提供有力保障。",
]


def person_name():
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def make_article(chars):
    paragraphs, length = [], 0
    while length < chars:
        paragraph = "".join(
            rng.choice(SENTENCES).format(
                a=rng.choice(TERMS),
                b=rng.choice(TERMS),
                c=rng.choice(TERMS),
                d=rng.choice(TERMS),
                name=person_name(),
                year=rng.randint(2018, 2025),
                month=rng.randint(1, 12),
                n=rng.randint(2, 300),
                n2=rng.randint(100, 90000),
                pct=round(rng.uniform(1, 30), 1),
                tel=rng.randint(2000000, 5999999),
            )
            for _ in range(rng.randint(3, 6))
        )
        paragraphs.append(paragraph)
        length += len(paragraph) + 1
    return "\n".join(paragraphs)[:chars]


def make_word_list(size):
    """Misspelt names (suggest), two-term phrases (flag) and a few block entries, all distinct."""
    words = {}
    while len(words) < size * 3 // 10:
        name = person_name()
        words.setdefault(name, WordRule(name, "suggest", name[0] + "某某", list_name="领导姓名"))
    while len(words) < size:
        phrase = rng.choice(TERMS) + rng.choice(TERMS)
        severity = "block" if rng.random() < 0.05 else "flag"
        words.setdefault(phrase, WordRule(phrase, severity, list_name="表述"))
    return list(words.values())


def timed(function, repeat):
    timings = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), result


def naive_find(text, words):
    hits = 0
    for word in words:
        position = text.find(word)
        while position != -1:
            hits += 1
            position = text.find(word, position + 1)
    return hits


def naive_regex(text, words):
    hits = 0
    for word in words:
        hits += sum(1 for _ in re.finditer(re.escape(word), text))
    return hits


text = make_article(args.chars)
entries = make_word_list(args.words)
words = [entry.word for entry in entries]

build_start = time.perf_counter()
scanner = Scanner(entries)
build_seconds = time.perf_counter() - build_start

engine_seconds, result = timed(lambda: scanner.scan({"body": text}), args.repeat)
find_seconds, find_hits = timed(lambda: naive_find(text, words), args.repeat)
regex_seconds, regex_hits = timed(lambda: naive_regex(text, words), max(1, args.repeat // 2))

# The same occurrences, found both ways (the engine then merges words lying inside longer ones).
automaton_hits = sum(1 for _ in KeywordAutomaton((word, None) for word in words).finditer(text))
if not automaton_hits == find_hits == regex_hits:
    sys.exit(f"disagreement: automaton {automaton_hits}, str.find {find_hits}, re.finditer {regex_hits}")

chars = len(text)
print(f"article: {chars:,} characters; word list: {len(entries):,} entries; occurrences of list words: {find_hits:,}")
print(f"engine verdict: {result.verdict}, findings after merging: {len(result.findings):,}")
print(f"building the automaton (once per word-list version): {build_seconds * 1000:.0f} ms")
print(f"engine (automaton + rules + personal data), median of {args.repeat}:")
print(f"  {engine_seconds * 1000:9.1f} ms   {chars / engine_seconds:14,.0f} chars/s")
print(f"naive loop, str.find per word, median of {args.repeat}:")
print(f"  {find_seconds * 1000:9.1f} ms   {chars / find_seconds:14,.0f} chars/s")
print(f"naive loop, re.finditer per word, median of {max(1, args.repeat // 2)}:")
print(f"  {regex_seconds * 1000:9.1f} ms   {chars / regex_seconds:14,.0f} chars/s")
print(f"ratio engine / str.find loop: {find_seconds / engine_seconds:.1f}x")
print(f"ratio engine / re.finditer loop: {regex_seconds / engine_seconds:.1f}x")
