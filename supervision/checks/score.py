"""The 100-point score of a site from its findings (国办秘函〔2019〕19号): veto items first, then the
capped deductions of rules.RULES."""

from dataclasses import dataclass, field

from .rules import FULL_MARKS, PASS_MARK, rule


@dataclass
class Score:
    score: float
    vetoes: list = field(default_factory=list)  # rule codes with a veto finding, in rule order
    deductions: dict = field(default_factory=dict)  # rule code: points taken (after the cap)

    @property
    def passed(self):
        """A veto fails the site whatever its points; under PASS_MARK fails."""
        return not self.vetoes and self.score >= PASS_MARK


def score(findings):
    vetoes = []
    raw = {}
    for item in findings:
        if item["veto"] and item["rule"] not in vetoes:
            vetoes.append(item["rule"])
        raw[item["rule"]] = raw.get(item["rule"], 0) + (item.get("points") or 0)
    deductions = {}
    for code, points in raw.items():
        cap = rule(code).get("cap", 0)
        taken = min(points, cap)
        if taken > 0:
            deductions[code] = round(taken, 1)
    total = max(0.0, round(FULL_MARKS - sum(deductions.values()), 1))
    return Score(total, vetoes, deductions)
