from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("my/privacy/", views.overview, name="overview"),
    path("my/privacy/id-number/withdraw/", views.id_consent_withdraw, name="id_consent_withdraw"),
    path("my/privacy/copy/", views.copy_request, name="copy_request"),
    path("my/privacy/copy/<str:token>/", views.copy_download, name="copy_download"),
    path("my/privacy/delete/", views.deletion_request, name="deletion_request"),
    path("my/privacy/delete/cancel/", views.deletion_cancel, name="deletion_cancel"),
]
