"""URL map of residents' requests to the town hall (mounted at /requests/ by arcachat/urls.py)."""

from django.urls import path

from . import resident

app_name = "requests"
urlpatterns = [
    path("", resident.page, name="mine"),
    path("<int:request_id>/delete", resident.delete_page, name="delete"),
    path("api/", resident.list_api, name="list"),
    path("api/preview", resident.preview, name="preview"),
    path("api/send", resident.send, name="send"),
    path("api/<int:request_id>/delete", resident.delete_api, name="delete-api"),
]
