from django.urls import path

from . import views

app_name = "applicants"

urlpatterns = [
    path("privacy/", views.privacy_notice, name="privacy"),
    path("me/profile/", views.profile_detail, name="profile"),
    path("me/profile/edit/", views.profile_edit, name="profile_edit"),
    path("me/applications/", views.my_applications, name="my_applications"),
    path("me/applications/preferences/", views.application_reorder_view, name="reorder"),
    path("posts/<int:post_pk>/apply/", views.application_create, name="apply"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw_view, name="withdraw"),
    path("applications/<int:pk>/resume/", views.resume_download, name="resume"),
]
