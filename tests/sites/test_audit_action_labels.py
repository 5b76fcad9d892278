"""Every action the product audits has a Chinese name in the audit log viewer.

The viewer shows the action's name, not its code; an action added without a name would put an
English code on the web office's screen. The actions are read from the code itself, so a new
``audit.record("…")`` without a label fails here.
"""

import re
from pathlib import Path

from sites.console.audit_log import ACTION_LABELS, action_label

ROOT = Path(__file__).resolve().parents[2]
APPS = ("sites", "cms", "publishing", "search", "interaction", "supervision", "themes", "serving")
LITERAL = r'"([a-z_]+(?:\.[a-z_]+)?)"'
CALLS = [
    re.compile(r"\baudit\.record\(\s*" + LITERAL),
    re.compile(r"\brecord_(?:list|entry)_change\(\s*" + LITERAL),
    re.compile(r'"(theme_(?:un)?locked)"'),
]


def audited_actions():
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for pattern in CALLS:
                found.update(pattern.findall(text))
    return found


def test_every_audited_action_has_a_chinese_name():
    actions = audited_actions()
    assert {"login_failed", "site_created", "interaction.forwarded", "wordentry_created"} <= actions  # the scan works
    missing = sorted(action for action in actions if action not in ACTION_LABELS)
    assert missing == []
    assert all(re.search(r"[\u4e00-\u9fff]", action_label(action)) for action in actions)


def test_an_unknown_action_still_reads_as_chinese():
    assert action_label("something_new").startswith("其他操作")
