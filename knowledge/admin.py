"""Django admin views of documents, chunks and prompt versions (read-mostly, for admins)."""

from django.contrib import admin

from .models import Chunk, Document, PromptTemplate


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "published_on", "valid_until", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("title", "source_url", "original_name")
    readonly_fields = ("content_hash", "status", "progress_done", "progress_total", "error")


@admin.register(Chunk)
class ChunkAdmin(admin.ModelAdmin):
    list_display = ("document", "position", "heading", "page", "token_count")
    list_select_related = ("document",)
    search_fields = ("text", "heading")


@admin.register(PromptTemplate)
class PromptTemplateAdmin(admin.ModelAdmin):
    list_display = ("__str__", "is_active", "author", "created_at")
    readonly_fields = ("author", "created_at")
