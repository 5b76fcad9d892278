from django.urls import path

from . import views

urlpatterns = [
    path("figures/", views.figures_view, name="figures"),
    path("annual/", views.annual_index, name="annual_index"),
    path("annual/<str:code>/<int:year>/", views.annual_detail, name="annual_detail"),
]
