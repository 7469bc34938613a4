"""Top-level URL map: landing and chat, staff pages per app, admin, health check."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accesscodes import signin
from core import views as core_views
from knowledge import passages
from knowledge import views as knowledge_views

from . import chat, feedback, health, privacy, views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("signin", signin.signin, name="signin"),
    path("signout", signin.signout, name="signout"),
    path("chat/", views.chat_page, name="chat"),
    path("chat/ask", chat.ask, name="chat-ask"),
    path("chat/check", privacy.check, name="chat-check"),
    path("chat/feedback", feedback.vote, name="chat-feedback"),
    path("healthz", health.healthz, name="healthz"),
    path("staff/", core_views.staff_home, name="staff-home"),
    path("staff/login/", core_views.StaffLoginView.as_view(), name="staff-login"),
    path("staff/logout/", auth_views.LogoutView.as_view(), name="staff-logout"),
    path("desk/", include("accesscodes.urls")),
    path("spend/", include("metering.urls")),
    path("comms/", include("knowledge.urls")),
    path("documents/<int:pk>/file", knowledge_views.document_file, name="document-file"),
    path(
        "documents/<int:pk>/passages/<int:chunk_id>",
        passages.passage,
        name="document-passage",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/login/", core_views.admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
]
