"""The "Personnel" page for admins: add a staff member, give or remove roles, reset a password,
deactivate or reactivate an account.

Admins manage staff here rather than in the Django admin's users, whose forms let anyone
who may change a user make them a superuser. Superuser accounts are shown, not changed; an
admin cannot remove their own admin role or deactivate themselves (no one locks the town out).
A reset password is shown once, to be handed over and changed at first sign-in.
"""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .roles import ADMINS, AGENTS, COMMS, COUNTER, role_required

ROLE_LABELS = {
    COUNTER: gettext_lazy("Counter desk (issues access codes)"),
    COMMS: gettext_lazy("Comms team (town documents, prompt)"),
    AGENTS: gettext_lazy("Agent (replies to residents' requests to the town hall)"),
    ADMINS: gettext_lazy("Administrator (providers, spend, staff)"),
}
PASSWORD_WORDS = 4  # a temporary password of 4 × 4 random characters, easy to read out
admins_only = role_required(ADMINS)


def temporary_password() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
    groups = ("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(PASSWORD_WORDS))
    return "-".join(groups)


class PersonForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        required=False,
        help_text=gettext_lazy("Admins with an e-mail get the budget and provider alerts."),
    )
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles"),
        choices=list(ROLE_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=name).exists():
            raise forms.ValidationError(_("Someone already has this username."))
        return name


def _roles_of(user) -> set[str]:
    return {group.name for group in user.groups.all() if group.name in ROLE_LABELS}


def _set_roles(user, roles: set[str]) -> None:
    for role in ROLE_LABELS:
        group, _created = Group.objects.get_or_create(name=role)
        if role in roles:
            user.groups.add(group)
        else:
            user.groups.remove(group)


@admins_only
@never_cache
def people(request):
    user_model = get_user_model()
    staff = user_model.objects.prefetch_related("groups").order_by("-is_active", "username")
    rows = [{"user": user, "roles": _roles_of(user)} for user in staff]
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        password = temporary_password()
        with transaction.atomic():
            user = user_model.objects.create_user(
                data["username"],
                email=data["email"],
                password=password,
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
            _set_roles(user, set(data["roles"]))
        request.session["people_password"] = [user.username, password]
        messages.success(request, _("%(name)s can now sign in.") % {"name": user.username})
        return redirect("staff-people")
    shown = request.session.pop("people_password", None)
    context = {"rows": rows, "form": form, "labels": ROLE_LABELS, "shown": shown}
    return render(request, "staff/people.html", context)


def _person(request, pk: int):
    user = get_object_or_404(get_user_model(), pk=pk)
    if user.is_superuser and not request.user.is_superuser:
        messages.error(request, _("Superuser accounts are changed by a superuser only."))
        return None
    return user


@admins_only
@require_POST
def change_roles(request, pk: int):
    user = _person(request, pk)
    if user is None:
        return redirect("staff-people")
    roles = {role for role in request.POST.getlist("roles") if role in ROLE_LABELS}
    if user.pk == request.user.pk and ADMINS not in roles:
        messages.error(request, _("You cannot remove your own administrator role."))
        return redirect("staff-people")
    _set_roles(user, roles)
    messages.success(request, _("The roles of %(name)s are saved.") % {"name": user.username})
    return redirect("staff-people")


@admins_only
@require_POST
def reset_password(request, pk: int):
    user = _person(request, pk)
    if user is None:
        return redirect("staff-people")
    password = temporary_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    request.session["people_password"] = [user.username, password]
    return redirect("staff-people")


@admins_only
@require_POST
def toggle_active(request, pk: int):
    user = _person(request, pk)
    if user is None:
        return redirect("staff-people")
    if user.pk == request.user.pk:
        messages.error(request, _("You cannot deactivate your own account."))
        return redirect("staff-people")
    user.is_active = not user.is_active
    user.save(update_fields=["is_active"])
    text = (
        _("%(name)s can sign in again.") if user.is_active else _("%(name)s can no longer sign in.")
    )
    messages.success(request, text % {"name": user.username})
    return redirect("staff-people")
