"""Admin screens for the web office's word lists (检查词库 / 检查词条).

Only the web office (superusers) may see or edit them, whatever permissions a group holds: the
lists decide what may be published on every site, so a site role must not change them, and the
permissions are not offered on the group screens either. Every save and delete is audited.
"""

from django.contrib.auth.models import Permission
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from sites.access import SecurityAdminOnlyPolicy, is_security_admin

from . import wordlists
from .models import WordEntry, WordList

# Registered before the viewsets are built: Wagtail would otherwise create its model-permission
# policy for these models, under which a group granted change_wordentry could edit the lists.
register_permission_policy(WordList, SecurityAdminOnlyPolicy(WordList))
register_permission_policy(WordEntry, SecurityAdminOnlyPolicy(WordEntry))


# --- Views that audit ------------------------------------------------------------------------------


class WordListIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().annotate(entry_count=Count("entries"))


class WordListCreateView(generic.CreateView):
    def save_instance(self):
        instance = super().save_instance()
        wordlists.record_list_change(
            "wordlist_created", instance, actor=self.request.user, request=self.request, active=instance.active
        )
        return instance


class WordListEditView(generic.EditView):
    def save_instance(self):
        before = WordList.objects.values("name", "description", "active").get(pk=self.object.pk)
        instance = super().save_instance()
        after = {"name": instance.name, "description": instance.description, "active": instance.active}
        changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
        wordlists.record_list_change(
            "wordlist_changed", instance, actor=self.request.user, request=self.request, changed=changed
        )
        return instance


class WordListDeleteView(generic.DeleteView):
    def delete_action(self):
        word_list = self.object
        entries = word_list.entries.count()
        super().delete_action()
        wordlists.record_list_change(
            "wordlist_deleted", word_list, actor=self.request.user, request=self.request, entries=entries
        )


class WordEntryCreateView(generic.CreateView):
    def save_instance(self):
        instance = super().save_instance()
        wordlists.record_entry_change("wordentry_created", instance, actor=self.request.user, request=self.request)
        return instance


class WordEntryEditView(generic.EditView):
    def save_instance(self):
        before = wordlists.entry_state(WordEntry.objects.get(pk=self.object.pk))
        instance = super().save_instance()
        wordlists.record_entry_change(
            "wordentry_changed", instance, actor=self.request.user, request=self.request, before=before
        )
        return instance


class WordEntryDeleteView(generic.DeleteView):
    def delete_action(self):
        entry = self.object
        super().delete_action()
        wordlists.record_entry_change("wordentry_deleted", entry, actor=self.request.user, request=self.request)


# --- Viewsets --------------------------------------------------------------------------------------


class _WebOfficeViewSet(ModelViewSet):
    add_to_admin_menu = False
    copy_view_enabled = False  # a copy would bypass the audited create view
    search_backend_name = None  # the lists live in the public schema, outside Wagtail's per-site index

    def get_permissions_to_register(self):
        # Not offered on the group screens: no site role may be given rights over the lists.
        return Permission.objects.none()


class WordListViewSet(_WebOfficeViewSet):
    model = WordList
    icon = "warning"
    menu_label = _("检查词库")
    index_view_class = WordListIndexView
    add_view_class = WordListCreateView
    edit_view_class = WordListEditView
    delete_view_class = WordListDeleteView
    form_fields = ["name", "description", "active"]
    list_display = [
        "name",
        "active",
        Column("entry_count", label=_("词条数")),
        "version",
        "updated_at",
    ]
    search_fields = ["name", "description"]


class WordEntryViewSet(_WebOfficeViewSet):
    model = WordEntry
    icon = "warning"
    menu_label = _("检查词条")
    add_view_class = WordEntryCreateView
    edit_view_class = WordEntryEditView
    delete_view_class = WordEntryDeleteView
    form_fields = ["word_list", "word", "severity", "replacement", "note"]
    list_display = ["word", "severity", "replacement", "word_list", "note", "updated_at"]
    list_filter = ["word_list", "severity"]
    search_fields = ["word", "replacement", "note"]
    list_per_page = 50
    # The listing's export button writes the filtered entries as CSV/XLSX with the Chinese column
    # headings, which import_wordlist reads back.
    list_export = ["word", "severity", "replacement", "note"]
    export_filename = "wordlist"


word_list_viewset = WordListViewSet("word_lists")
word_entry_viewset = WordEntryViewSet("word_entries")


@hooks.register("register_admin_viewset")
def register_word_list_viewset():
    return word_list_viewset


@hooks.register("register_admin_viewset")
def register_word_entry_viewset():
    return word_entry_viewset


class WebOfficeMenuItem(MenuItem):
    def is_shown(self, request):
        return is_security_admin(request.user)  # the word lists are the security administrator's (三员分立)


@hooks.register("register_settings_menu_item")
def register_word_list_menu_item():
    return WebOfficeMenuItem(
        _("检查词库"),
        reverse(word_list_viewset.get_url_name("index")),
        name="word-lists",
        icon_name="warning",
        order=160,
    )


@hooks.register("register_settings_menu_item")
def register_word_entry_menu_item():
    return WebOfficeMenuItem(
        _("检查词条"),
        reverse(word_entry_viewset.get_url_name("index")),
        name="word-entries",
        icon_name="warning",
        order=161,
    )
