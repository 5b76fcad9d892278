from django.core.management.base import BaseCommand, CommandError

from publishing.confidentiality.wordlists import WordListError, import_csv


class Command(BaseCommand):
    help = "从 CSV 导入检查词库（列：word,severity,replacement,note 或 词语,处理级别,建议替换为,备注）。"

    def add_arguments(self, parser):
        parser.add_argument("name", help="词库名称；不存在时新建")
        parser.add_argument("file", help="CSV 文件（UTF-8 或 GB18030）")
        parser.add_argument("--replace", action="store_true", help="删除文件中没有的词条（默认只新增和更新）")
        parser.add_argument("--description", default="", help="新建词库时的说明")

    def handle(self, *args, **options):
        try:
            with open(options["file"], "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CommandError(f"无法读取文件“{options['file']}”：{exc.strerror}") from exc
        try:
            word_list, counts = import_csv(
                options["name"], data, replace=options["replace"], description=options["description"]
            )
        except WordListError as exc:
            raise CommandError(f"导入失败，词库未作任何修改：\n{exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"词库“{word_list.name}”：新增 {counts['created']} 条，更新 {counts['updated']} 条，"
                f"删除 {counts['removed']} 条，现有 {word_list.entries.count()} 条。"
            )
        )
