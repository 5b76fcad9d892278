"""The web office's word lists (敏感词库), shared by every site (public schema).

The scan engine (publishing/confidentiality/engine.py) knows nothing of these models: publishing/confidentiality/wordlists.py reads
the active entries and hands them to it, rebuilding the automaton when a list's version changes.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    """What a word-list hit does to an item."""

    BLOCK = "block", _("禁止发布")
    FLAG = "flag", _("提示审核")
    SUGGEST = "suggest", _("建议替换")

    @classmethod
    def parse(cls, text):
        """Accept the value (block) or the Chinese label (禁止发布), as CSV files from people carry either."""
        text = (text or "").strip()
        for severity in cls:
            if text.lower() == severity.value or text == str(severity.label):
                return severity
        raise ValueError(text)


class WordList(models.Model):
    # Wagtail's reference index lives in each site's schema; these rows live in the public one.
    # Without this, registering the admin viewsets makes every save and delete query a table
    # that does not exist in the public schema (management commands, imports).
    wagtail_reference_index_ignore = True

    name = models.CharField(_("名称"), max_length=100, unique=True)
    description = models.TextField(_("说明"), blank=True)
    active = models.BooleanField(_("启用"), default=True, help_text=_("停用的词库不参与保密检查。"))
    # Bumped on every change to the list's entries (signal_handlers.py, and by bulk imports):
    # each process caches its automaton under the (list, version) pairs of the active lists.
    version = models.PositiveIntegerField(_("版本"), default=0, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("检查词库")
        verbose_name_plural = _("检查词库")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        adding = self._state.adding
        if not adding and kwargs.get("update_fields") is None:
            # Never write the in-memory version back: it may be older than the row's, and an old
            # version would let a process keep serving an automaton built before the change.
            kwargs["update_fields"] = [
                field.name for field in self._meta.concrete_fields if not field.primary_key and field.name != "version"
            ]
        super().save(*args, **kwargs)
        if not adding:
            self.bump_version()  # the list's name and state show in findings

    def bump_version(self):
        WordList.objects.filter(pk=self.pk).update(version=models.F("version") + 1)


class WordEntry(models.Model):
    wagtail_reference_index_ignore = True  # see WordList

    word_list = models.ForeignKey(WordList, on_delete=models.CASCADE, related_name="entries", verbose_name=_("词库"))
    word = models.CharField(_("词语"), max_length=100)
    severity = models.CharField(_("处理级别"), max_length=10, choices=Severity.choices, default=Severity.FLAG)
    replacement = models.CharField(
        _("建议替换为"), max_length=100, blank=True, help_text=_("“建议替换”级别必填，例如领导姓名的正确写法。")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("检查词条")
        verbose_name_plural = _("检查词条")
        ordering = ["word_list", "word"]
        constraints = [models.UniqueConstraint(fields=["word_list", "word"], name="one_entry_per_word_and_list")]

    def __str__(self):
        return self.word

    def clean(self):
        self.word = (self.word or "").strip()
        self.replacement = (self.replacement or "").strip()
        if not self.word:
            raise ValidationError({"word": _("词语不能为空。")})
        if self.severity == Severity.SUGGEST and not self.replacement:
            raise ValidationError({"replacement": _("“建议替换”级别的词条必须填写替换词。")})
        if self.replacement and self.replacement == self.word:
            raise ValidationError({"replacement": _("替换词与原词相同。")})
