"""调查问卷: a few single-choice, multiple-choice and short-text questions, and their results as charts.

Questions are an InlinePanel of ``QuestionnaireQuestion`` (their ids stay the same from revision to
revision, which the stored answers point at). One submission per browser and questionnaire (a
signed cookie) and a per-address hourly limit (interaction/pages/participation.py). Results are
bar charts drawn on the server as inline SVG (the public CSP allows no inline script, and no
outside chart library is loaded); short-text answers are for the site's staff only and never
leave the admin.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable

from cms.models import ColumnClass, SitePage

from . import participation
from .participation import Phase

TEXT_ANSWER_MAX = 500
COOKIE_SALT = "interaction.pages.questionnaire"


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    TEXT = "text", _("简答")


def cookie_name(page):
    return f"questionnaire_{page.pk}"


class QuestionnairePage(participation.ParticipationPeriod, RoutablePageMixin, SitePage):
    """调查问卷: questions, the period, one submission per browser, results as bar charts."""

    period_label = "调查截止时间"

    catalogue_type = "questionnaire"
    column_item = True

    summary = models.TextField(_("调查说明"), blank=True, max_length=500, help_text=_("列表和检索结果中显示"))
    intro = RichTextField(_("调查背景"), blank=True)
    opens_at = models.DateTimeField(_("调查开始时间"))
    closes_at = models.DateTimeField(_("调查截止时间"))
    results_public = models.BooleanField(
        _("公开调查结果"), default=True, help_text=_("选择题的统计图在参与后和调查结束后公开；简答内容始终只在后台可见")
    )

    parent_page_types = ["cms.ColumnPage"]
    subpage_types = []
    column_classes = (ColumnClass.INTERACTION,)  # 互动交流 columns only (cms.structure)
    content_panels = SitePage.content_panels + [
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")], heading=_("调查时间")),
        FieldPanel("intro"),
        InlinePanel("questions", label=_("问题"), min_num=1),
        FieldPanel("results_public"),
    ]

    class Meta:
        verbose_name = _("调查问卷")
        verbose_name_plural = _("调查问卷")

    def ordered_questions(self):
        return list(self.questions.order_by("sort_order", "pk"))

    def response_count(self):
        return self.responses.count()

    def has_submitted(self, request):
        return request.get_signed_cookie(cookie_name(self), default=None, salt=COOKIE_SALT) == "1"

    def shows_results(self, request=None, now=None):
        """Charts are public (when the editors chose so) after closing, and to a browser that took part."""
        if not self.results_public:
            return False
        return self.phase(now) == Phase.CLOSED or (request is not None and self.has_submitted(request))

    def results(self):
        """Per choice question: ``{"question", "respondents", "options": [{"label", "count",
        "percent"}]}``. ``percent`` is of the respondents who answered that question (for a
        multiple-choice question the options can add up to more than 100)."""
        questions = [q for q in self.ordered_questions() if q.kind != QuestionKind.TEXT]
        answers = QuestionnaireAnswer.objects.filter(question__in=questions)
        counts = {
            (row["question_id"], row["choice"]): row["n"]
            for row in answers.values("question_id", "choice").annotate(n=Count("pk"))
        }
        respondents = dict(
            answers.values("question_id").annotate(n=Count("response", distinct=True)).values_list("question_id", "n")
        )
        results = []
        for question in questions:
            total = respondents.get(question.pk, 0)
            options = []
            for label in question.option_list():
                count = counts.get((question.pk, label), 0)
                options.append(
                    {"label": label, "count": count, "percent": round(100 * count / total, 1) if total else 0.0}
                )
            results.append({"question": question, "respondents": total, "options": options})
        return results

    def text_answers(self):
        """The short-text answers, for the staff's screen only: ``[(question, [answers…])]``."""
        questions = [q for q in self.ordered_questions() if q.kind == QuestionKind.TEXT]
        return [
            (question, list(question.answers.exclude(text="").order_by("-response__submitted_at", "-pk")))
            for question in questions
        ]

    # --- Submitting --------------------------------------------------------------------------

    def build_form(self, data=None):
        return QuestionnaireForm(self.ordered_questions(), data=data)

    @transaction.atomic
    def record_response(self, answers):
        """Store one submission (model API for the form, the demo seeder and tests).

        ``answers`` maps a question (or its id) to the option label (single), a list of labels
        (multiple) or the text (short text). Unknown options are refused with ValueError.
        """
        by_id = {q.pk: q for q in self.ordered_questions()}
        response = QuestionnaireResponse.objects.create(page=self)
        rows = []
        for key, value in answers.items():
            question = by_id[getattr(key, "pk", key)]
            if question.kind == QuestionKind.TEXT:
                text = participation.clean_text(value)[:TEXT_ANSWER_MAX]
                if text:
                    rows.append(QuestionnaireAnswer(response=response, question=question, text=text))
                continue
            labels = [value] if isinstance(value, str) else list(value or [])
            allowed = question.option_list()
            for label in labels:
                if label not in allowed:
                    raise ValueError(f"问题“{question.text}”没有选项“{label}”")
                rows.append(QuestionnaireAnswer(response=response, question=question, choice=label))
        QuestionnaireAnswer.objects.bulk_create(rows)
        return response

    def get_context(self, request, *args, **kwargs):
        form = kwargs.pop("questionnaire_form", None)
        error = kwargs.pop("questionnaire_error", "")
        context = super().get_context(request, *args, **kwargs)
        submitted = self.has_submitted(request)
        context.update(
            phase=self.phase(),
            phases=Phase,
            opens_at_text=participation.local_minute(self.opens_at),
            closes_at_text=participation.local_minute(self.closes_at),
            submitted=submitted,
            questionnaire_form=form or (None if submitted else self.build_form()),
            questionnaire_error=error,
            submit_url=(self.get_url(request) or "") + self.reverse_subpage("submit"),
            response_count=self.response_count(),
            results=self.results() if self.shows_results(request) else None,
            honeypot_field=participation.HONEYPOT_FIELD,
        )
        return context

    def _page_with_form(self, request, form, error, status):
        response = TemplateResponse(
            request,
            self.get_template(request),
            self.get_context(request, questionnaire_form=form, questionnaire_error=error),
            status=status,
        )
        return participation.keep_out_of_cache(response)

    def _done(self, request):
        response = redirect(self.get_url(request) + "?done=1#questionnaire-result")
        seconds = max(3600, int((self.closes_at - self.opens_at).total_seconds()) + 90 * 86400)
        response.set_signed_cookie(
            cookie_name(self),
            "1",
            salt=COOKIE_SALT,
            max_age=seconds,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
        return response

    @path("submit/", name="submit")
    def submit(self, request):
        """The questionnaire's target (POST, CSRF checked by Django's middleware)."""
        if request.method != "POST":
            return redirect(self.get_url(request))
        form = self.build_form(request.POST)
        if not self.is_open():
            message = "本次调查尚未开始。" if self.phase() == Phase.UPCOMING else "本次调查已结束。"
            return self._page_with_form(request, form, message, 403)
        if self.has_submitted(request):
            return self._page_with_form(request, None, "您已参与过本次调查，感谢您的支持。", 409)
        if participation.honeypot_filled(request.POST):
            return self._done(request)  # a bot: nothing stored, nothing learnt
        allowed, retry_after = participation.allow_submission(request)
        if not allowed:
            response = self._page_with_form(request, form, participation.rate_limited_message(retry_after), 429)
            response["Retry-After"] = str(retry_after)
            return response
        if not form.is_valid():
            return self._page_with_form(request, form, "提交未成功，请按提示修改后再提交。", 400)
        self.record_response(form.answers())
        return self._done(request)


class QuestionnaireQuestion(Orderable):
    page = ParentalKey(QuestionnairePage, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("问题"), max_length=200)
    kind = models.CharField(_("题型"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE)
    options = models.TextField(_("选项"), blank=True, help_text=_("单选、多选题每行一个选项；简答题留空"))
    required = models.BooleanField(_("必答"), default=True)

    panels = [FieldPanel("text"), FieldRowPanel([FieldPanel("kind"), FieldPanel("required")]), FieldPanel("options")]

    class Meta(Orderable.Meta):
        verbose_name = _("问题")
        verbose_name_plural = _("问题")

    def __str__(self):
        return self.text

    def clean(self):
        super().clean()
        if self.kind != QuestionKind.TEXT and len(self.option_list()) < 2:
            raise ValidationError({"options": "选择题至少需要两个选项（每行一个）。"})

    def option_list(self):
        seen = []
        for line in (self.options or "").splitlines():
            label = line.strip()
            if label and label not in seen:
                seen.append(label)
        return seen

    @property
    def field_name(self):
        return f"q{self.pk}"


class QuestionnaireForm(forms.Form):
    """The public form, one field per question (``q<id>``) plus the honeypot."""

    homepage = forms.CharField(
        label="请勿填写此项", required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )

    def __init__(self, questions, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            required = {"required": "请回答此题。"}
            choices = [(label, label) for label in question.option_list()]
            if question.kind == QuestionKind.SINGLE:
                field = forms.ChoiceField(
                    choices=choices, widget=forms.RadioSelect, required=question.required, error_messages=required
                )
            elif question.kind == QuestionKind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                    required=question.required,
                    error_messages=required,
                )
            else:
                field = forms.CharField(
                    max_length=TEXT_ANSWER_MAX,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    required=question.required,
                    error_messages={**required, "max_length": f"回答不能超过 {TEXT_ANSWER_MAX} 字。"},
                )
            field.label = question.text
            field.invalid_choice_message = "请从列出的选项中选择。"
            field.error_messages["invalid_choice"] = "请从列出的选项中选择。"
            self.fields[question.field_name] = field

    def question_fields(self):
        return [(question, self[question.field_name]) for question in self.questions]

    def answers(self):
        return {question.pk: self.cleaned_data.get(question.field_name) for question in self.questions}


class QuestionnaireResponse(models.Model):
    """One browser's submission of a questionnaire (no personal data is asked or kept)."""

    page = models.ForeignKey(
        QuestionnairePage, on_delete=models.CASCADE, related_name="responses", verbose_name=_("调查问卷")
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("问卷答卷")
        verbose_name_plural = _("问卷答卷")

    def __str__(self):
        return f"{self.page.title}：{participation.local_minute(self.submitted_at)}"


class QuestionnaireAnswer(models.Model):
    """One chosen option (one row per option of a multiple-choice answer) or one short text."""

    response = models.ForeignKey(QuestionnaireResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(QuestionnaireQuestion, on_delete=models.CASCADE, related_name="answers")
    # The option's label as shown when it was chosen: results count labels the question still lists.
    choice = models.CharField(_("选项"), max_length=200, blank=True)
    text = models.TextField(_("简答内容"), blank=True, max_length=TEXT_ANSWER_MAX)

    class Meta:
        verbose_name = _("问卷回答")
        verbose_name_plural = _("问卷回答")
        indexes = [models.Index(fields=["question", "choice"])]

    def __str__(self):
        return self.choice or self.text[:20]
