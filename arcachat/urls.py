"""Top-level URL map: landing and chat, staff pages per app, admin, health check."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accesscodes import dashboard, signin
from knowledge import views as knowledge_views

from . import chat, health, stafflogin, views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("signin", signin.signin, name="signin"),
    path("signout", signin.signout, name="signout"),
    path("chat/", views.chat_page, name="chat"),
    path("chat/ask", chat.ask, name="chat-ask"),
    path("healthz", health.healthz, name="healthz"),
    path("staff/", views.staff_home, name="staff-home"),
    path("staff/login/", stafflogin.StaffLoginView.as_view(), name="staff-login"),
    path("staff/logout/", auth_views.LogoutView.as_view(), name="staff-logout"),
    path("desk/", include("accesscodes.urls")),
    path("spend/", dashboard.dashboard, name="spend"),
    path("spend/export.csv", dashboard.export_csv, name="spend-csv"),
    path("spend/quotas/", dashboard.quotas, name="spend-quotas"),
    path("spend/codes/<int:number>/", dashboard.code_usage, name="spend-code"),
    path("spend/codes/<int:number>/clear-flag", dashboard.clear_flag, name="spend-clear-flag"),
    path("comms/", include("knowledge.urls")),
    path("documents/<int:pk>/file", knowledge_views.document_file, name="document-file"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/login/", stafflogin.admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
]
