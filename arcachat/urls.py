"""Top-level URL map: landing, chat, residents' requests, staff pages per app, admin, health,
embed routes."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accesscodes import signin
from core import people
from core import views as core_views
from knowledge import passages
from knowledge import views as knowledge_views
from privacy.outbound import QuestionLimits

from . import attachments, chat, embedded, feedback, health, personaldata, questions, views

# What a question may carry, for the privacy pages (privacy sits below this app).
QUESTION = QuestionLimits(
    message_chars=questions.MAX_MESSAGE_CHARS,
    history_turns=questions.HISTORY_TURNS,
    pdf_pages=attachments.MAX_PDF_PAGES,
    pdf_chars=attachments.MAX_PDF_CHARS,
)

admin.site.site_header = format_lazy("{} · {}", settings.TOWN_NAME, _("administration"))
admin.site.site_title = format_lazy("{} · {}", settings.TOWN_NAME, _("administration"))
admin.site.index_title = _("Every setting of the town assistant")

urlpatterns = [
    path("", views.landing, name="landing"),
    path("signin", signin.signin, name="signin"),
    path("signout", signin.signout, name="signout"),
    path("chat/", views.chat_page, name="chat"),
    path("chat/ask", chat.ask, name="chat-ask"),
    path("chat/check", personaldata.check, name="chat-check"),
    path("chat/feedback", feedback.vote, name="chat-feedback"),
    path("requests/", include("townhall.resident_urls")),
    path("healthz", health.healthz, name="healthz"),
    path("staff/", core_views.staff_home, name="staff-home"),
    path("staff/login/", core_views.StaffLoginView.as_view(), name="staff-login"),
    path("staff/logout/", auth_views.LogoutView.as_view(), name="staff-logout"),
    path("staff/people/", people.people, name="staff-people"),
    path("staff/people/<int:pk>/roles", people.change_roles, name="staff-people-roles"),
    path("staff/people/<int:pk>/password", people.reset_password, name="staff-people-password"),
    path("staff/people/<int:pk>/active", people.toggle_active, name="staff-people-active"),
    path("desk/", include("accesscodes.urls")),
    path("spend/", include("metering.urls")),
    path("comms/", include("knowledge.urls")),
    path("providers/", include("providers.urls")),
    path("privacy/", include("privacy.urls"), {"question": QUESTION}),
    path("townhall/", include("townhall.urls")),
    path("widget/", include("embed.urls")),
    # The embed routes under their own names here; inside the frame, arcachat.embed_urls.
    path("", include((embedded.patterns, "embedded"))),
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
