"""Sites provisioned before the review app have plain GroupApprovalTasks as their chain's steps:
make each of them a ReviewStepTask in place (same task id, so workflows and task states in
progress keep pointing at it). Idempotent; runs once per site schema."""

from django.db import migrations

NAME_STEPS = {"编辑初审": "first_review", "部门负责人复审": "department_review", "保密审查": "confidentiality_review"}
ROLE_STEPS = {"reviewer": "first_review", "site_admin": "department_review", "secrecy_officer": "confidentiality_review"}


def step_of(task, SiteGroup):
    for suffix, step in NAME_STEPS.items():
        if task.name.endswith(suffix):
            return step
    roles = set(SiteGroup.objects.filter(group__in=task.groups.all()).values_list("role", flat=True))
    steps = {ROLE_STEPS[role] for role in roles if role in ROLE_STEPS}
    return steps.pop() if len(steps) == 1 else None


def convert(apps, schema_editor):
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    ReviewStepTask = apps.get_model("review", "ReviewStepTask")
    ContentType = apps.get_model("contenttypes", "ContentType")
    SiteGroup = apps.get_model("sites", "SiteGroup")
    content_type, _ = ContentType.objects.get_or_create(app_label="review", model="reviewsteptask")
    done = set(ReviewStepTask.objects.values_list("pk", flat=True))
    table = schema_editor.quote_name(ReviewStepTask._meta.db_table)
    for task in GroupApprovalTask.objects.exclude(pk__in=done):
        step = step_of(task, SiteGroup)
        if step is None:
            continue  # not one of the chain's steps (e.g. a task the web office added by hand)
        with schema_editor.connection.cursor() as cursor:
            # A child row under the existing parent rows: saving the historical child model
            # would write its parents again with empty fields.
            cursor.execute(f"INSERT INTO {table} (groupapprovaltask_ptr_id, step) VALUES (%s, %s)", [task.pk, step])  # noqa: S608
        GroupApprovalTask.objects.filter(pk=task.pk).update(content_type=content_type)


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0001_initial"),
        ("sites", "0003_sign_on_ticket"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(convert, migrations.RunPython.noop)]
