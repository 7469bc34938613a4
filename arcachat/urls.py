"""Top-level URL map: landing and chat, staff pages per app, admin, health check."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accesscodes import signin
from core import views as core_views
from knowledge import passages
from knowledge import views as knowledge_views
from privacy.outbound import QuestionLimits

from . import attachments, chat, feedback, health, personaldata, questions, views

# What a question may carry, for the privacy pages (privacy sits below this app).
QUESTION = QuestionLimits(
    message_chars=questions.MAX_MESSAGE_CHARS,
    history_turns=questions.HISTORY_TURNS,
    pdf_pages=attachments.MAX_PDF_PAGES,
    pdf_chars=attachments.MAX_PDF_CHARS,
)

urlpatterns = [
    path("", views.landing, name="landing"),
    path("signin", signin.signin, name="signin"),
    path("signout", signin.signout, name="signout"),
    path("chat/", views.chat_page, name="chat"),
    path("chat/ask", chat.ask, name="chat-ask"),
    path("chat/check", personaldata.check, name="chat-check"),
    path("chat/feedback", feedback.vote, name="chat-feedback"),
    path("healthz", health.healthz, name="healthz"),
    path("staff/", core_views.staff_home, name="staff-home"),
    path("staff/login/", core_views.StaffLoginView.as_view(), name="staff-login"),
    path("staff/logout/", auth_views.LogoutView.as_view(), name="staff-logout"),
    path("desk/", include("accesscodes.urls")),
    path("spend/", include("metering.urls")),
    path("comms/", include("knowledge.urls")),
    path("privacy/", include("privacy.urls"), {"question": QUESTION}),
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
