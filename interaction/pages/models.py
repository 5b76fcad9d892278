"""Content pages of 互动交流, in each site's schema.

``ReplyPage``: a citizen's question and the site's approved answer, published with the citizen's
consent and the personal data removed (interaction/publication.py makes it; nobody writes one by
hand). Being a page, it takes the one visibility rule, the catalogue (cross-site search), the page
cache and static output like every other item. It holds no 查询码 and nothing of the citizen but the
masked name: whatever a page holds is public text (the catalogue, search, static files).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from cms.models import SitePage

from .consultation import CommentStatus, ConsultationComment, ConsultationPage
from .questionnaire import (
    QuestionKind,
    QuestionnaireAnswer,
    QuestionnairePage,
    QuestionnaireQuestion,
    QuestionnaireResponse,
)

__all__ = [
    "CommentStatus",
    "ConsultationComment",
    "ConsultationPage",
    "QuestionKind",
    "QuestionnaireAnswer",
    "QuestionnairePage",
    "QuestionnaireQuestion",
    "QuestionnaireResponse",
    "ReplyPage",
]


class ReplyPage(SitePage):
    catalogue_type = "reply"
    # A column lists it among its items (cms.models.columns.item_models).
    column_item = True

    kind = models.CharField(_("留言类型"), max_length=20)
    question = models.TextField(_("留言内容"))
    asker = models.CharField(_("留言人"), max_length=50, blank=True)
    asked_at = models.DateTimeField(_("留言时间"))
    answer = models.TextField(_("答复内容"))
    answered_by = models.CharField(_("答复单位"), max_length=100)
    answered_at = models.DateTimeField(_("答复时间"))

    parent_page_types = ["cms.ColumnPage"]
    subpage_types = []
    content_panels = SitePage.content_panels + [
        FieldPanel("question", read_only=True),
        FieldPanel("answer", read_only=True),
    ]
    search_fields = SitePage.search_fields + [index.SearchField("question"), index.SearchField("answer")]

    class Meta:
        verbose_name = _("留言答复")
        verbose_name_plural = _("留言答复")

    @property
    def summary(self):
        return self.question[:120]
