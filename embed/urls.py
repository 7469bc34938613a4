"""URL map of the staff's embedding page (mounted under widget/ by arcachat/urls.py)."""

from django.urls import path

from . import views

app_name = "embed"
urlpatterns = [
    path("", views.page, name="page"),
    path("sites/add", views.add_site, name="add-site"),
    path("sites/<int:site>/remove", views.remove_site, name="remove-site"),
]
