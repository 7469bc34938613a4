"""Admin of townhall: the list of services (requests and cards are staff pages of their own,
and their texts are not shown here)."""

from django.contrib import admin

from .models import Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "active")
    list_filter = ("active",)
    search_fields = ("name",)
