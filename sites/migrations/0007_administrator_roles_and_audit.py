"""三员分立 and the audit trail of 等保三级.

- The web office (网站办, a superuser) becomes the 系统管理员 (role ``system_admin``): its group keeps
  its members and is renamed; every superuser is made a system administrator and stops being a
  superuser (a superuser exists only through ``manage.py break_glass``). 安全管理员 and 审计管理员 are
  new cluster-wide roles.
- Audit events carry the user agent and an outcome (成功/失败/拒绝).
- The append-only trigger of 0002 lets exactly one thing through: ``archive_audit`` deleting an
  event older than 180 days, inside a transaction that set ``cms.audit_archive``. A younger event is
  never deleted, whatever the caller (ORM, raw SQL, a setting asking for a shorter retention).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FORWARD = """
CREATE OR REPLACE FUNCTION sites_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND OLD.created_at < now() - interval '180 days'
       AND current_setting('cms.audit_archive', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
"""
BACKWARD = """
CREATE OR REPLACE FUNCTION sites_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
"""

OLD_NAME, NEW_NAME = "网站办", "系统管理员"


def web_office_to_system_admin(apps, schema_editor):
    SiteGroup = apps.get_model("sites", "SiteGroup")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("sites", "User")
    binding = SiteGroup.objects.filter(tenant__isnull=True, role="web_office").select_related("group").first()
    if binding is None and User.objects.filter(is_superuser=True).exists():
        group, _ = Group.objects.get_or_create(name=NEW_NAME)
        binding = SiteGroup.objects.create(group=group, tenant=None, role="web_office")
    if binding is None:
        return
    binding.role = "system_admin"
    binding.save(update_fields=["role"])
    group = binding.group
    if group.name == OLD_NAME and not Group.objects.filter(name=NEW_NAME).exists():
        group.name = NEW_NAME
        group.save(update_fields=["name"])
    # Every superuser was the web office (sites.access.is_web_office read is_superuser).
    for user in User.objects.filter(is_superuser=True):
        user.groups.add(group)
    User.objects.filter(is_superuser=True).update(is_superuser=False, is_staff=True)


def system_admin_to_web_office(apps, schema_editor):
    SiteGroup = apps.get_model("sites", "SiteGroup")
    User = apps.get_model("sites", "User")
    binding = SiteGroup.objects.filter(tenant__isnull=True, role="system_admin").select_related("group").first()
    if binding is None:
        return
    binding.role = "web_office"
    binding.save(update_fields=["role"])
    User.objects.filter(groups=binding.group).update(is_superuser=True)
    binding.group.name = OLD_NAME
    binding.group.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [
        ("sites", "0006_tenant_admins_may_edit_contact"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="outcome",
            field=models.CharField(
                choices=[("success", "成功"), ("failure", "失败"), ("denied", "拒绝")],
                db_index=True,
                default="success",
                max_length=10,
                verbose_name="结果",
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="user_agent",
            field=models.CharField(blank=True, default="", max_length=300, verbose_name="浏览器"),
        ),
        migrations.AlterField(
            model_name="sitegroup",
            name="role",
            field=models.CharField(
                choices=[
                    ("site_admin", "站点管理员"),
                    ("editor", "编辑"),
                    ("reviewer", "审核员"),
                    ("secrecy_officer", "保密审查员"),
                    ("handler", "互动办理员"),
                    ("system_admin", "系统管理员"),
                    ("security_admin", "安全管理员"),
                    ("audit_admin", "审计管理员"),
                ],
                max_length=20,
                verbose_name="角色",
            ),
        ),
        migrations.CreateModel(
            name="BreakGlass",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="原因")),
                ("opened_at", models.DateTimeField(auto_now_add=True, verbose_name="开启时间")),
                ("expires_at", models.DateTimeField(verbose_name="到期时间")),
                ("ended_at", models.DateTimeField(blank=True, null=True, verbose_name="结束时间")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="break_glass",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"verbose_name": "应急超级用户", "verbose_name_plural": "应急超级用户", "ordering": ["-opened_at"]},
        ),
        migrations.RunPython(web_office_to_system_admin, system_admin_to_web_office),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
