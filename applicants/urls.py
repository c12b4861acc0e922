from django.urls import path

from . import views

app_name = "applicants"

urlpatterns = [
    path("privacy/", views.privacy_notice, name="privacy"),
    path("my/profile/", views.profile_detail, name="profile"),
    path("my/profile/edit/", views.profile_edit, name="profile_edit"),
    path("my/applications/", views.my_applications, name="my_applications"),
    path("my/applications/preferences/", views.application_reorder_view, name="reorder"),
    path("posts/<int:post_pk>/apply/", views.application_create, name="apply"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw_view, name="withdraw"),
    path("applications/<int:pk>/resume/", views.resume_download, name="resume"),
]
