"""python manage.py reindex [--backend NAME] [--site CODE]: rebuild a search index from the catalogue."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from publishing.catalogue.models import CatalogueEntry
from search.backends import configured_backends, get_backend
from search.backends.base import BackendUnavailable
from sites.models import Tenant


class Command(BaseCommand):
    help = "从站群目录重建搜索索引（Elasticsearch 建新版本索引后切换别名，不中断搜索）"

    def add_arguments(self, parser):
        parser.add_argument("--backend", action="append", default=[], help="后端名称，可重复（默认全部已配置的后端）")
        parser.add_argument("--site", default=None, help="只重建这个站点（站点代码）")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, **options):
        names = options["backend"] or list(configured_backends())
        unknown = [name for name in names if name not in configured_backends()]
        if unknown:
            raise CommandError(f"未配置的搜索后端：{'、'.join(unknown)}（可用：{'、'.join(configured_backends())}）")
        entries = CatalogueEntry.objects.all()
        if options["site"]:
            entries = entries.filter(tenant__code=options["site"])
            if not Tenant.objects.filter(code=options["site"]).exists():
                raise CommandError(f"没有代码为“{options['site']}”的站点")
        total = entries.count()
        for name in names:
            backend = get_backend(name)
            bar = tqdm(total=total, desc=f"重建 {name}", unit="条", disable=options["no_progress"] or None)
            try:
                count = backend.reindex(site=options["site"], progress=bar.update)
            except BackendUnavailable as error:
                raise CommandError(f"{name}：{error}") from error
            finally:
                bar.close()
            self.stdout.write(f"{name}：已索引 {count} 条")
