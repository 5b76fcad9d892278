"""Public URLs of 互动交流 and 依申请公开 (included by cms/urls.py before Wagtail's pages)."""

from django.urls import path

from . import api, views

app_name = "hudong"

urlpatterns = [
    path("hudong/", views.index, name="index"),
    path("hudong/write/<str:kind>/", views.write, name="write"),
    path("hudong/done/<str:token>/", views.done, name="done"),
    path("hudong/lookup/", views.lookup, name="lookup"),
    path("hudong/withdraw/", views.withdraw, name="withdraw"),
    path("hudong/captcha/renew/", views.captcha_renew, name="captcha_renew"),
    path("hudong/captcha/<str:token>.png", views.captcha_image, name="captcha"),
    path("ysqgk/", views.apply, name="apply"),
    path("ysqgk/done/<str:token>/", views.apply_done, name="apply_done"),
    path("ysqgk/lookup/", views.apply_lookup, name="apply_lookup"),
    path("ysqgk/correct/", views.apply_correct, name="apply_correct"),
    path("api/interaction/messages/", api.messages, name="api_messages"),
    path("api/interaction/messages/<str:code>/", api.message_status, name="api_message"),
]
