"""The embed routes: the resident's chat inside a town site's frame (embed/ paths).

They are the resident routes again, with the same views, under embed/: embed.middleware gives
these paths cookies of their own (partitioned) and the frame headers, and makes
arcachat.embed_urls their URL map, where each route name below leads to its embed path. So
`{% url 'signin' %}`, `redirect("chat")` and `reverse("chat-ask")` stay inside the frame
without a change to the views or templates, and the question goes through the same view
(same checks, rate limit and metering) as on the main site.
"""

from django.urls import path
from django.views.i18n import set_language

from accesscodes import signin
from accesscodes.session import get_resident
from embed import views as embed_views
from embed.middleware import PREFIX

from . import chat, feedback, personaldata, views


def page(request):
    """The chat for a resident signed in inside the frame; the sign-in page otherwise."""
    if get_resident(request) is None:
        return views.landing(request)
    return views.render_chat(request)


_at = PREFIX.lstrip("/")
# Route names as on the main site: arcachat.embed_urls puts these last, so they win.
patterns = [
    path(_at, page, name="landing"),
    path(_at, page, name="chat"),
    path(f"{_at}signin", signin.signin, name="signin"),
    path(f"{_at}signout", signin.signout, name="signout"),
    path(f"{_at}ask", chat.ask, name="chat-ask"),
    path(f"{_at}check", personaldata.check, name="chat-check"),
    path(f"{_at}feedback", feedback.vote, name="chat-feedback"),
    path(f"{_at}i18n/setlang/", set_language, name="set_language"),
    path(f"{_at}button.json", embed_views.check, name="embed-check"),
]
