from django.core.management.base import BaseCommand, CommandError

from publishing.confidentiality.models import WordList
from publishing.confidentiality.wordlists import export_csv


class Command(BaseCommand):
    help = "把检查词库导出为 CSV（word,severity,replacement,note），默认写到标准输出。"

    def add_arguments(self, parser):
        parser.add_argument("name", help="词库名称")
        parser.add_argument("-o", "--output", help="写入文件（带 BOM 的 UTF-8，Excel 可直接打开）")

    def handle(self, *args, **options):
        word_list = WordList.objects.filter(name=options["name"]).first()
        if word_list is None:
            raise CommandError(f"没有名为“{options['name']}”的词库。")
        text = export_csv(word_list)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8-sig", newline="") as handle:
                handle.write(text)
            self.stderr.write(f"已导出 {word_list.entries.count()} 条到 {options['output']}")
        else:
            self.stdout.write(text, ending="")
