"""A starter list of the words people type for common government terms.

Readers search with the words they use (政务公开, 社保, 12345), pages are written with the official
ones (政府信息公开, 社会保险, 市长热线). The web office edits the list in the admin (检索 › 搜索同义词);
this only seeds it once, never overwrites a group the web office changed, and takes back on reverse
only the groups it added and nobody touched.
"""

from django.db import migrations

STARTER_NOTE = "初始同义词表"

# Each line one group; a search for any word of a group also finds the others.
STARTER_SYNONYMS = [
    "政务公开 = 政府信息公开 = 政务信息公开",
    "依申请公开 = 政府信息公开申请 = 信息公开申请",
    "12345 = 市长热线 = 12345热线 = 政务服务便民热线",
    "公积金 = 住房公积金",
    "社保 = 社会保险",
    "医保 = 医疗保险 = 医疗保障",
    "营商环境 = 投资环境",
    "一网通办 = 政务服务 = 网上办事",
    "低保 = 最低生活保障",
    "养老金 = 基本养老金 = 退休金",
    "驾照 = 驾驶证 = 机动车驾驶证",
    "身份证 = 居民身份证",
    "户口 = 户籍",
    "发改委 = 发展改革委 = 发展和改革委员会",
    "人社局 = 人力资源和社会保障局",
    "市监局 = 市场监管局 = 市场监督管理局",
    "不动产登记 = 房产证 = 不动产权证书",
    "放管服 = 简政放权",
    "退伍军人 = 退役军人",
]


def seed(apps, schema_editor):
    SynonymGroup = apps.get_model("search", "SynonymGroup")
    existing = set(SynonymGroup.objects.values_list("terms", flat=True))
    SynonymGroup.objects.bulk_create(
        SynonymGroup(terms=terms, note=STARTER_NOTE) for terms in STARTER_SYNONYMS if terms not in existing
    )


def unseed(apps, schema_editor):
    SynonymGroup = apps.get_model("search", "SynonymGroup")
    SynonymGroup.objects.filter(note=STARTER_NOTE, terms__in=STARTER_SYNONYMS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_drop_type_index"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
