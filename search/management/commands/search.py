"""python manage.py search "关键词" [--site CODE] [--type T] [--sort date] [--json]: the reader's search."""

import json

from django.core.management.base import BaseCommand, CommandError

from search.backends import get_backend
from search.backends.base import SearchError
from search.forms import params_from


class Command(BaseCommand):
    help = "用与网站相同的搜索引擎搜索全部网站（或指定网站）"

    def add_arguments(self, parser):
        parser.add_argument("query", help='搜索词，如 "安全生产 -招聘" 或 文号')
        parser.add_argument("--site", action="append", default=[], help="站点代码，可重复")
        parser.add_argument("--type", action="append", default=[], help="内容类型，如 article、disclosure")
        parser.add_argument("--sort", default="relevance", choices=["relevance", "date"])
        parser.add_argument("--page", type=int, default=1)
        parser.add_argument("--backend", default=None, help="搜索后端名称（默认 CMS_SEARCH_BACKEND）")
        parser.add_argument("--json", action="store_true", help="输出与 /api/search/ 相同的 JSON")

    def handle(self, *args, **options):
        data = {"q": options["query"], "sort": options["sort"], "page": str(options["page"])}
        try:
            params = params_from(data)
            params.sites = options["site"]
            params.types = options["type"]
            results = get_backend(options["backend"]).run(params)
        except SearchError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(results.as_json(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"共 {results.total} 条结果，用时 {results.took_ms:.1f} 毫秒")
        for number, hit in enumerate(results.hits, start=params.offset + 1):
            row = hit.as_json()
            self.stdout.write(f"{number:>3}. {row['title']}  [{row['site_name']} · {row['published_at']}]")
            self.stdout.write(f"     {row['url']}")
