"""Staff pages of core: sign-in (with the residents' growing lockout), the admin's login, home.

Wrong passwords are counted per client by core.lockout under a separate key; once the
client is locked, every attempt is refused (429) without checking the password, right or
wrong. The Django admin's own login page sends staff here. A staff session lasts
`STAFF_SESSION_HOURS`, not the weeks a resident may stay signed in.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import urlencode

from . import lockout
from .roles import roles_of


def _client(request) -> str:
    return "staff:" + lockout.client_of(request)


class StaffLoginView(auth_views.LoginView):
    template_name = "staff/login.html"

    def post(self, request, *args, **kwargs):
        wait = lockout.locked_for(_client(request))
        if wait:
            return self._locked(wait)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session.set_expiry(settings.STAFF_SESSION_HOURS * 3600)
        return response

    def form_invalid(self, form):
        wait = lockout.record_failure(self.request, _client(self.request))
        if wait:
            return self._locked(wait)
        return super().form_invalid(form)

    def _locked(self, seconds: int):
        context = self.get_context_data(form=self.get_form_class()(self.request))
        context["locked"] = lockout.locked_message(seconds, staff=True)
        return self.render_to_response(context, status=429)


def admin_login(request):
    """The admin's login page: the staff sign-in, which comes back to the admin."""
    target = request.GET.get("next") or "/admin/"
    return redirect(f"/staff/login/?{urlencode({'next': target})}")


@login_required
def staff_home(request):
    return render(request, "staff/home.html", {"roles": roles_of(request.user)})
