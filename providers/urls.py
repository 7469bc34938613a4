"""Addresses of the Fournisseurs page (mounted under /providers/)."""

from django.urls import path

from . import views

app_name = "providers"
urlpatterns = [
    path("", views.provider_list, name="list"),
    path("add/", views.add, name="add"),
    path("add/<slug:key>/", views.add, name="add-kind"),
    path("order/", views.reorder, name="reorder"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<str:pk>/use/", views.use, name="use"),
    path("<str:pk>/move/", views.move, name="move"),
    path("<str:pk>/toggle/", views.toggle, name="toggle"),
    path("<str:pk>/test/", views.test, name="test"),
]
