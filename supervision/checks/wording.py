"""严重表述错误: leaders' names and titles, the web office's list of names, and common 错别字.

The right name beside the right title raises nothing; what is flagged:

* a near-miss of a leader's name (same length, one character off, not itself another leader's
  name) written next to that leader's own title: 局长李建图, 李建图局长;
* a leader's right name next to a title that is not theirs: 李建国副局长 when 李建国 is 局长
  (党组书记 counts as 书记; 副局长 does not count as 局长);
* any text of the web office's list (免职人员, 撤销机构) and of the 错别字 list (shipped + web office).

Texts are the catalogue rows' titles and body text (what is live and public); a regular expression
in the database picks the rows that can hold a hit, so the scan reads only those.
"""

import re
from dataclasses import dataclass

from .models import WordingEntry, WordingKind

# Shipped 错别字 (wrong, right): unambiguous misspellings seen on government sites; the web office adds more.
DEFAULT_TYPOS = (
    ("再接再励", "再接再厉"),
    ("一股作气", "一鼓作气"),
    ("迫不急待", "迫不及待"),
    ("不径而走", "不胫而走"),
    ("默守成规", "墨守成规"),
    ("精兵减政", "精兵简政"),
    ("走头无路", "走投无路"),
    ("一愁莫展", "一筹莫展"),
    ("好高鹜远", "好高骛远"),
    ("贯切落实", "贯彻落实"),
    ("坐谈会", "座谈会"),
    ("防碍", "妨碍"),
    ("国藉", "国籍"),
    ("按装", "安装"),
    ("竞竞业业", "兢兢业业"),
    ("布署", "部署"),
    ("既使", "即使"),
    ("谈笑风声", "谈笑风生"),
    ("金榜提名", "金榜题名"),
    ("相形见拙", "相形见绌"),
)

# Official titles a name is written beside (longest first when matched).
TITLES = (
    "党组书记 党组副书记 党组成员 党委书记 党委副书记 党委委员 党工委书记 纪检组长 纪检监察组长 "
    "书记 副书记 局长 副局长 常务副局长 市长 副市长 常务副市长 县长 副县长 区长 副区长 主任 副主任 "
    "常务副主任 厅长 副厅长 处长 副处长 科长 副科长 部长 副部长 主席 副主席 秘书长 副秘书长 "
    "总工程师 总经济师 总会计师 一级巡视员 二级巡视员 一级调研员 二级调研员 三级调研员 四级调研员 "
    "巡视员 调研员 镇长 副镇长 乡长 副乡长 所长 副所长 院长 副院长 校长 副校长 站长 副站长 "
    "队长 副队长 主任科员 政委 行长 副行长 会长 副会长 理事长 副理事长"
).split()
TITLE_RE = re.compile("|".join(sorted((re.escape(t) for t in TITLES), key=len, reverse=True)))
CJK = re.compile(r"^[\u4e00-\u9fff]+$")
POSITION_SPLIT = re.compile(r"[、，,；;/\s]+")


@dataclass(frozen=True)
class Leader:
    name: str
    titles: tuple

    def holds(self, title):
        """True when ``title`` is one of this leader's, or a short form of one (党组书记 → 书记),
        but not the 正职 read out of a 副职 (副局长 is not 局长)."""
        for own in self.titles:
            if own == title:
                return True
            if own.endswith(title) and not own[: -len(title)].endswith("副"):
                return True
        return False


@dataclass(frozen=True)
class Hit:
    text: str
    message: str
    veto: bool


def leaders_from(pages):
    """``Leader`` of each LeaderPage (title: the name; position: titles separated by 、)."""
    leaders = []
    for name, position in pages:
        name = (name or "").strip()
        if 2 <= len(name) <= 4 and CJK.match(name):
            titles = tuple(t for t in POSITION_SPLIT.split(position or "") if t)
            leaders.append(Leader(name, titles))
    return leaders


def list_entries():
    """(kind, wrong, right, note) of the shipped 错别字 and the web office's active entries."""
    entries = [(WordingKind.TYPO, wrong, right, "") for wrong, right in DEFAULT_TYPOS]
    entries += [
        (entry.kind, entry.text, entry.correction, entry.note)
        for entry in WordingEntry.objects.filter(active=True).exclude(text="")
    ]
    return entries


def _differs_by_one(a, b):
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def leader_hits(text, leaders):
    """Near-misses of leaders' names and right names with wrong titles in ``text``."""
    if not leaders or not text:
        return []
    names = {leader.name for leader in leaders}
    hits = []
    seen = set()
    for match in TITLE_RE.finditer(text):
        title = match.group()
        for leader in leaders:
            n = len(leader.name)
            for candidate in (text[max(0, match.start() - n) : match.start()], text[match.end() : match.end() + n]):
                if len(candidate) != n or not CJK.match(candidate):
                    continue
                if candidate == leader.name:
                    if not leader.holds(title):
                        key = ("title", candidate, title)
                        if key not in seen:
                            seen.add(key)
                            own = "、".join(leader.titles) or "（未填写）"
                            hits.append(
                                Hit(
                                    f"{candidate}{title}",
                                    f"领导职务错误：“{candidate}”写作“{title}”，负责人信息中为“{own}”。",
                                    True,
                                )
                            )
                elif candidate not in names and leader.holds(title) and _differs_by_one(candidate, leader.name):
                    # Beside this leader's own title only: 公安局副局长李建军 in a report is another
                    # person, not 局长李建国 misspelt.
                    key = ("name", candidate)
                    if key not in seen:
                        seen.add(key)
                        hits.append(
                            Hit(
                                candidate,
                                f"领导姓名疑似错误：“{title}”旁写作“{candidate}”，"
                                f"负责人信息中为“{leader.name}”（{'、'.join(leader.titles)}）。",
                                True,
                            )
                        )
    return hits


def list_hits(text, entries):
    hits = []
    for kind, wrong, right, note in entries:
        if wrong and wrong in text:
            if kind == WordingKind.TYPO:
                message = f"错别字：“{wrong}”应为“{right}”。" if right else f"错别字：“{wrong}”。"
            elif kind == WordingKind.REMOVED_OFFICIAL:
                message = f"出现已免职人员姓名“{wrong}”。" + (f"（{note}）" if note else "")
            else:
                message = f"出现已撤销机构名称“{wrong}”" + (f"，现为“{right}”。" if right else "。")
            hits.append(Hit(wrong, message, kind != WordingKind.TYPO))
    return hits


def candidate_pattern(leaders, entries):
    """A PostgreSQL regular expression matching every text that can hold a hit: a list entry, or
    a leader's name with at most one character changed."""
    parts = {re.escape(wrong) for _kind, wrong, _right, _note in entries if wrong}
    for leader in leaders:
        name = leader.name
        parts.add(re.escape(name))
        for i in range(len(name)):
            parts.add(re.escape(name[:i]) + "[\u4e00-\u9fff]" + re.escape(name[i + 1 :]))
    return "|".join(sorted(parts)) if parts else None


def scan(text, leaders, entries):
    return leader_hits(text, leaders) + list_hits(text, entries)
