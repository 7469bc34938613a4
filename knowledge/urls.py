"""URL map of the comms pages (mounted at /comms/ by arcachat/urls.py)."""

from django.urls import path

from . import opinions, views

app_name = "knowledge"
urlpatterns = [
    path("", views.document_list, name="documents"),
    path("documents/status.json", views.document_status, name="document-status"),
    path("upload/", views.upload, name="upload"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/retire/", views.document_retire, name="retire"),
    path("documents/<int:pk>/delete/", views.document_delete, name="delete"),
    path("prompt/", views.prompt_edit, name="prompt"),
    path("playground/", views.playground, name="playground"),
    path("feedback/", opinions.report, name="feedback"),
]
