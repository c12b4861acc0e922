"""The portal inbox and the channel preferences: every logged-in user has both."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from jinseed.authz import rule_required

from .forms import NotificationPreferenceForm
from .kinds import KINDS
from .selectors import inbox_for_user, inbox_unread_count, notification_preference_of
from .services import notification_mark_read, notification_preference_update, notification_unsubscribe
from .unsubscribe import unsubscribe_token_read


@rule_required("accounts.use_portal")
def inbox(request):
    page = Paginator(inbox_for_user(user=request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread_count": inbox_unread_count(user=request.user)},
    )


@rule_required("accounts.use_portal")
def inbox_detail(request, pk: int):
    message = get_object_or_404(inbox_for_user(user=request.user), pk=pk)
    if message.read_at is None:
        notification_mark_read(user=request.user, notification_id=message.pk)
    return render(request, "notifications/inbox_detail.html", {"message": message})


@rule_required("accounts.use_portal")
@require_POST
def inbox_mark_all_read(request):
    notification_mark_read(user=request.user)
    return redirect("notifications:inbox")


@rule_required("accounts.use_portal")
def preferences(request):
    instance = notification_preference_of(user=request.user)
    form = NotificationPreferenceForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        notification_preference_update(
            user=request.user,
            email=form.cleaned_data["email"],
            sms=form.cleaned_data["sms"],
            email_muted_kinds=form.muted_kinds(),
        )
        messages.success(request, _("Your notification settings have been saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form, "has_mobile": bool(request.user.mobile)})


# The signed link is the credential: the recipient's mail provider posts to it without a
# session or a CSRF token (RFC 8058 one-click), and the link can only stop one kind by email.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """A recurring email's List-Unsubscribe: GET asks to confirm (so that a link scanner
    following links stops nothing), POST stops that kind by email — the mail client's
    one-click POST (``List-Unsubscribe=One-Click``) and the confirmation button alike."""
    found = unsubscribe_token_read(token)
    if found is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    user, kind = found
    context = {"kind_label": KINDS[kind].label, "done": False}
    if request.method == "POST":
        notification_unsubscribe(user=user, kind=kind)
        context["done"] = True
    return render(request, "notifications/unsubscribe.html", context)
