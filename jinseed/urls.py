"""Root URLconf: wires the apps' URLconfs together (by name, so the platform imports none)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from jinseed.accounts.views import set_language
from jinseed.health import HealthView
from jinseed.robots import robots_txt

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("health/", HealthView.as_view(), name="health"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("accounts/", include("jinseed.accounts.urls")),
    path("admin/", admin.site.urls),
    path("notifications/", include("jinseed.notifications.urls")),
    path("jobs/", include("jinseed.jobs.urls")),
    path("", include("positions.urls")),
    path("", include("applicants.urls")),
    path("", include("placements.cultivation.urls")),
    path("", include("placements.office.urls")),
    path("", include("placements.selection.urls")),
    path("", include("placements.office.exports.urls")),
    path("", include("placements.privacy.urls")),
]

admin.site.site_header = _("Golden Seed programme · administration")
admin.site.site_title = _("Golden Seed")
admin.site.index_title = _("Programme administration")

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
