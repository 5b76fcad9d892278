from django.urls import path

from . import admin_views

app_name = "interaction_pages"
urlpatterns = [
    path("comments/", admin_views.comments, name="comments"),
    path("comments/<int:comment_id>/", admin_views.moderate, name="moderate"),
    path("questionnaires/<int:page_id>/", admin_views.questionnaire_results, name="questionnaire"),
]
