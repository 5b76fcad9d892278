"""Extension points of the content types: Wagtail hooks that apps above cms register.

The content types import nothing from the apps built on them; those plug in here with
``wagtail.hooks.register(<name>)`` in their ``wagtail_hooks.py`` (publishing.syndication does all
three). Without a hook registered, each falls back to what the page itself holds.

``cms_column_listing`` — ``fn(column, site)``: what a ``ColumnPage`` of ``site`` (the current
    site, or None) lists: an object a Paginator takes (``count()``, ``len()``, slicing) of pages
    and list items, newest first, or None to leave it to the next hook. Portal aggregation and
    信息报送 add the other sites' items here. Fallback: ``column.items()``.

``cms_document_validity`` — ``fn(pages)``: ``{page.pk: status}``, the 有效性 the cluster shows
    for these disclosure documents (saved pages of the current schema). A document missing from
    the answer shows its own ``validity`` field. Read by ``DisclosureDocumentPage.current_validity``
    and ``preload_validity`` (one call for a whole listing).

``cms_settle_document_validity`` — ``fn(page)``: called when the catalogue row of a live
    disclosure document is written; makes the store hold a status for it (the page's choice,
    when it is published for the first time) and returns the status the row carries, or None to
    leave it to the next hook. Fallback: the page's ``current_validity``.

``cms_column_services`` — ``fn(column, request)``: the online services a ``ColumnPage`` offers
    besides its items (a form to write in, a lookup), as a list of ``{"title", "url",
    "description"}``, or None. Every hook's links are shown, in hook order, above the column's
    list. 互动交流 puts its forms on the 互动交流 and 依申请公开 columns here. Fallback: none.
"""

from wagtail import hooks

COLUMN_LISTING = "cms_column_listing"
DOCUMENT_VALIDITY = "cms_document_validity"
SETTLE_DOCUMENT_VALIDITY = "cms_settle_document_validity"
COLUMN_SERVICES = "cms_column_services"


def first_answer(hook_name, *args):
    """The first non-None answer of the hook's functions, or None."""
    for fn in hooks.get_hooks(hook_name):
        answer = fn(*args)
        if answer is not None:
            return answer
    return None


def merged_answers(hook_name, *args):
    """The hook's functions' dict answers merged, later ones winning."""
    merged = {}
    for fn in hooks.get_hooks(hook_name):
        merged.update(fn(*args) or {})
    return merged


def all_answers(hook_name, *args):
    """The hook's functions' list answers, one after another (None counts as an empty list)."""
    answers = []
    for fn in hooks.get_hooks(hook_name):
        answers.extend(fn(*args) or [])
    return answers
