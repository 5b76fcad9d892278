"""URLs of the 互动交流 admin screens, under /admin/interaction/ (registered in wagtail_hooks.py, so
Wagtail's require_admin_access runs before every view)."""

from django.urls import path

from . import admin_views as views

app_name = "interaction_admin"

urlpatterns = [
    path("messages/", views.message_list, name="messages"),
    path("messages/export.csv", views.message_export, name="messages_export"),
    path("messages/<int:pk>/", views.message_detail, name="message"),
    path("messages/<int:pk>/reveal/", views.message_reveal, name="message_reveal"),
    path("messages/<int:pk>/attachments/<int:attachment_id>/", views.message_attachment, name="message_attachment"),
    path("messages/<int:pk>/do/<slug:action>/", views.message_action, name="message_action"),
    path("reviews/", views.review_queue, name="reviews"),
    path("applications/", views.application_list, name="applications"),
    path("applications/export.csv", views.application_export, name="applications_export"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/reveal/", views.application_reveal, name="application_reveal"),
    path("applications/<int:pk>/do/<slug:action>/", views.application_action, name="application_action"),
    path("overdue/", views.overdue, name="overdue"),
    path("deadlines/", views.deadlines, name="deadlines"),
    path("workdays/", views.workday_overrides, name="workdays"),
    path("workdays/<int:pk>/delete/", views.workday_override_delete, name="workday_delete"),
    path("statistics/", views.statistics_view, name="statistics"),
    path("statistics/export.csv", views.statistics_export, name="statistics_export"),
]
