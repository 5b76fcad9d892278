from django.urls import path

from . import views

urlpatterns = [
    path("pages/<int:page_id>/", views.review_page, name="page"),
    path("pages/<int:page_id>/<slug:action_name>/<int:task_state_id>/", views.decide, name="decide"),
    path("pages/<int:page_id>/force-publish/", views.force_publish, name="force_publish"),
    path("sheets/<int:record_id>/", views.confidentiality_sheet, name="sheet"),
    path("after-review/", views.after_review, name="after_review"),
    path("audit/", views.audit_export, name="audit_export"),
]
