"""App config of core: gives each staff role its model permissions after every migration."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "ArcaChat"

    def ready(self) -> None:
        from .roles import grant_role_permissions  # needs the auth models: apps must be ready

        # Every app's permissions exist only after its own post_migrate: run after each one.
        post_migrate.connect(grant_role_permissions, dispatch_uid="core-role-perms")
