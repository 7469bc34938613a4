"""URL map of the embed paths (settings.EMBED_URLCONF, chosen by embed.middleware): the site's
map with the embed routes last, so that their names (landing, chat, signin, chat-ask...)
reverse to embed/ paths while every other name keeps its address on the main site."""

from . import embedded
from .urls import urlpatterns as site_patterns

urlpatterns = [*site_patterns, *embedded.patterns]
