import json
import sys

from django.core.management.base import BaseCommand, CommandError

from publishing.confidentiality.conclusion import conclude
from publishing.confidentiality.extract import decode_text
from publishing.confidentiality.rules import RULE_LABELS, SEVERITY_LABELS
from publishing.confidentiality.wordlists import scan_fields


class Command(BaseCommand):
    help = "对纯文本做保密检查（内置规则与启用的检查词库）。--json 输出机器可读结果。"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-", help="文本文件（UTF-8 或 GB18030）；省略或 - 读标准输入")
        parser.add_argument("--json", action="store_true", help='输出 {"verdict": …, "findings": […]}')

    def handle(self, *args, **options):
        path = options["file"]
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError as exc:
                raise CommandError(f"无法读取文件“{path}”：{exc.strerror}") from exc
        result = scan_fields({"text": decode_text(data)})
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            return
        # The conclusion and its counts come from the same findings (a "pass" may carry suggestions).
        conclusion = conclude(result.findings)
        self.stdout.write(f"检查结论：{conclusion.headline}")
        if not result.findings:
            return
        self.stdout.write(f"{conclusion.counts}。")
        for number, finding in enumerate(result.findings, start=1):
            context = finding.context.replace("\n", " ")
            offset = finding.start - finding.context_start
            marked = f"{context[:offset]}【{finding.text}】{context[offset + len(finding.text) :]}"
            line = (
                f"{number}. [{SEVERITY_LABELS[finding.severity]}] {RULE_LABELS.get(finding.rule, finding.rule)}"
                f"“{finding.text}”（第 {finding.start + 1} 字起）"
            )
            if finding.replacement:
                line += f"，建议改为“{finding.replacement}”"
            if finding.word_list:
                line += f"，词库：{finding.word_list}"
            self.stdout.write(line)
            self.stdout.write(f"   …{marked}…")
