"""What the 互动交流 and 依申请公开 columns offer besides their lists (hook ``cms_column_services``).

The 互动交流 column (the one answers are published in, interaction/publication.py) shows the four
forms and the lookup above its list of published answers; the 依申请公开 column shows the
application form and its lookup, so neither is ever an empty column (19号).
"""

from django.urls import reverse

from cms.models import ColumnClass
from cms.models.extensions import COLUMN_SERVICES

from .models import Kind
from .publication import INTERACTION_SLUG, interaction_column
from .views import DISCLOSURE_SLUG, KIND_INTROS


def _is_interaction_column(column):
    if column.column_class != ColumnClass.INTERACTION:
        return False
    if column.slug == INTERACTION_SLUG:
        return True
    home_column = interaction_column()
    return home_column is not None and home_column.pk == column.pk


def column_services(column, request):
    if _is_interaction_column(column):
        links = [
            {
                "title": f"我要写信：{kind.label}",
                "url": reverse("hudong:write", kwargs={"kind": kind.value}),
                "description": KIND_INTROS[kind],
            }
            for kind in Kind
        ]
        links.append(
            {
                "title": "留言查询",
                "url": reverse("hudong:lookup"),
                "description": "凭查询码和手机号码后 4 位查询办理进度和答复。",
            }
        )
        return links
    if column.slug == DISCLOSURE_SLUG:
        return [
            {
                "title": "在线申请政府信息公开",
                "url": reverse("hudong:apply"),
                "description": "公民、法人或者其他组织可以在线提交政府信息公开申请。",
            },
            {
                "title": "申请办理进度查询",
                "url": reverse("hudong:apply_lookup"),
                "description": "凭查询码和联系电话后 4 位查询办理进度、补正告知和答复。",
            },
        ]
    return None


__all__ = ["COLUMN_SERVICES", "column_services"]
