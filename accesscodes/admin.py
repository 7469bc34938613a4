"""Django admin for codes, sites and the audit log: sites editable, codes and audit read-only."""

from django.contrib import admin

from .models import AccessCode, AuditEntry, Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "address"]
    search_fields = ["name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Nothing is added, changed or deleted here: codes come from the desk, entries from actions."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessCode)
class AccessCodeAdmin(ReadOnlyAdmin):
    list_display = ["label", "site", "status", "issued_at", "expires_at", "flagged_at"]
    list_filter = ["status", "site"]
    search_fields = ["number"]
    exclude = ["digest"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_name", "action", "label", "detail"]
    list_filter = ["action"]
    search_fields = ["actor_name", "label", "detail"]
    date_hierarchy = "at"
