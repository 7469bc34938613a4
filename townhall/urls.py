"""URL map of townhall's staff pages (mounted at /townhall/ by arcachat/urls.py): the agents'
queue, the comms team's answer cards and insight, the admins' log."""

from django.urls import path

from . import comms, queue

app_name = "townhall"
urlpatterns = [
    path("queue/", queue.queue, name="queue"),
    path("queue/<int:request_id>/", queue.detail, name="request"),
    path("queue/<int:request_id>/draft", queue.draft, name="draft"),
    path("queue/<int:request_id>/discard-draft", queue.discard_draft, name="discard-draft"),
    path("queue/<int:request_id>/reply", queue.reply, name="reply"),
    path("queue/<int:request_id>/close", queue.close, name="close"),
    path("queue/<int:request_id>/service", queue.assign, name="assign"),
    path("log/", queue.log_page, name="log"),
    path("cards/", comms.cards, name="cards"),
    path("cards/new/", comms.card_new, name="card-new"),
    path("cards/<int:card_id>/withdraw", comms.card_withdraw, name="card-withdraw"),
    path("insight/", comms.insight_page, name="insight"),
]
