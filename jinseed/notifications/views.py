"""The portal inbox and the channel preferences: every logged-in user has both."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jinseed.authz import rule_required

from .forms import NotificationPreferenceForm
from .selectors import inbox_for_user, inbox_unread_count, notification_preference_of
from .services import notification_mark_read, notification_preference_update


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
            user=request.user, email=form.cleaned_data["email"], sms=form.cleaned_data["sms"]
        )
        messages.success(request, _("Your notification settings have been saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form, "has_mobile": bool(request.user.mobile)})
