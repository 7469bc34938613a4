"""App config for the project package: hooks role permissions after migrations."""

from django.apps import AppConfig


class ArcachatConfig(AppConfig):
    name = "arcachat"
    verbose_name = "ArcaChat"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .roles import grant_role_permissions

        # Every app's permissions exist only after its own post_migrate: run after each one.
        post_migrate.connect(grant_role_permissions, dispatch_uid="arcachat-role-perms")
