"""URL map of the privacy pages (mounted at /privacy/ by arcachat/urls.py, which hands every
view what a question may carry)."""

from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("", views.resident_notice, name="notice"),
    path("notice.pdf", views.resident_notice_pdf, name="notice-pdf"),
    path("staff/", views.page, name="page"),
    path("staff/record", views.save_record, name="save-record"),
    path("staff/place", views.save_place, name="save-place"),
    path("staff/record.docx", views.record_docx, name="record-docx"),
    path("staff/record.pdf", views.record_pdf, name="record-pdf"),
]
