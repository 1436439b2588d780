from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("submit/similar/", views.similar, name="submit-similar"),
    path("submit/sales/", views.submit_sales, name="submit-sales"),
    path("my/", views.my_submissions, name="my"),
]
