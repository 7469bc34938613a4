"""URL map of the admins' spend pages (mounted at /spend/ by arcachat/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="spend"),
    path("export.csv", views.export_csv, name="spend-csv"),
    path("quotas/", views.quotas, name="spend-quotas"),
    path("codes/<int:number>/", views.code_usage, name="spend-code"),
    path("codes/<int:number>/clear-flag", views.clear_flag, name="spend-clear-flag"),
]
