from django.apps import AppConfig

# The page types of this app that an editor adds under a column by hand (ReplyPage is made by
# interaction/publication.py only, so it is not among them).
COLUMN_PAGE_TYPES = ("interaction_pages.ConsultationPage", "interaction_pages.QuestionnairePage")


class InteractionPagesConfig(AppConfig):
    """The content side of 互动交流, in each site's schema: published answers, consultations, surveys."""

    name = "interaction.pages"
    label = "interaction_pages"
    verbose_name = "互动交流栏目内容"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # An app above cms adds page types to the column: cms must not import interaction (the
        # dependency rule), and ColumnPage.subpage_types is an explicit list, so the column learns
        # of 意见征集 and 调查问卷 here. ready() runs before any request, i.e. before Wagtail first
        # computes (and caches) a page type's allowed subpage models.
        from cms.models import ColumnPage

        types = list(ColumnPage.subpage_types)
        types += [name for name in COLUMN_PAGE_TYPES if name not in types]
        ColumnPage.subpage_types = types
        # Wagtail caches the resolved list on the class (None until first asked): drop any copy.
        ColumnPage._clean_subpage_models = None
