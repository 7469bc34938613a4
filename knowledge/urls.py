"""URL map of the comms pages (mounted at /comms/ by arcachat/urls.py)."""

from django.urls import path

from . import opinions, promptviews, sites, views

app_name = "knowledge"
urlpatterns = [
    path("", views.document_list, name="documents"),
    path("documents/status.json", views.document_status, name="document-status"),
    path("upload/", views.upload, name="upload"),
    path("upload/guess", views.upload_guess, name="upload-guess"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/retire/", views.document_retire, name="retire"),
    path("documents/<int:pk>/restore/", views.document_restore, name="restore"),
    path("documents/<int:pk>/delete/", views.document_delete, name="delete"),
    path("prompt/", promptviews.prompt_edit, name="prompt"),
    path("prompt/restore", promptviews.prompt_restore, name="prompt-restore"),
    path("playground/", promptviews.playground, name="playground"),
    path("sites/", sites.site_list, name="sites"),
    path("sites/add/", sites.site_add, name="site-add"),
    path("sites/<int:site_id>/", sites.site_detail, name="site"),
    path("sites/<int:site_id>/edit/", sites.site_edit, name="site-edit"),
    path("sites/<int:site_id>/status.json", sites.site_status, name="site-status"),
    path("sites/<int:site_id>/start", sites.run_start, name="site-start"),
    path("sites/<int:site_id>/pause", sites.run_pause, name="site-pause"),
    path("sites/<int:site_id>/resume", sites.run_resume, name="site-resume"),
    path("sites/<int:site_id>/cancel", sites.run_cancel, name="site-cancel"),
    path("feedback/", opinions.report, name="feedback"),
]
