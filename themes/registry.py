"""The template sets the project ships: each is a directory ``themes/templates/themes/<key>/``.

A Theme record picks one template set and adds design tokens; several themes may share a set.
"""

TEMPLATE_SETS = {
    "blue": "政务蓝",
    "red": "中国红",
}
DEFAULT_TEMPLATE_SET = "blue"


def template_set_choices():
    return list(TEMPLATE_SETS.items())
