"""URL map of the counter desk and the audit log (mounted under desk/ by arcachat/urls.py)."""

from django.urls import path

from . import auditlog, desk

app_name = "accesscodes"
urlpatterns = [
    path("", desk.desk, name="desk"),
    path("site", desk.choose_site, name="site"),
    path("issue", desk.issue, name="issue"),
    path("lookup", desk.lookup, name="lookup"),
    path("codes/<int:number>/", desk.code_detail, name="code"),
    path(
        "codes/<int:number>/suspend",
        desk.change_status,
        {"action": "suspend"},
        name="suspend",
    ),
    path(
        "codes/<int:number>/reactivate",
        desk.change_status,
        {"action": "reactivate"},
        name="reactivate",
    ),
    path("codes/<int:number>/revoke", desk.change_status, {"action": "revoke"}, name="revoke"),
    path("codes/<int:number>/reissue", desk.reissue, name="reissue"),
    path("audit/", auditlog.audit_log, name="audit"),
]
