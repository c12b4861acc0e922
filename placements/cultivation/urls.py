from django.urls import path

from placements.cultivation import views

app_name = "cultivation"

urlpatterns = [
    # The student's side.
    path("my/placement/", views.my_placement, name="my_placement"),
    path("my/placement/<int:pk>/", views.my_placement, name="my_placement_detail"),
    path("my/placement/<int:pk>/term-switch/", views.term_switch_request, name="term_switch_request"),
    path("my/placement/<int:pk>/feedback/", views.feedback_submit, name="feedback_submit"),
    path("my/placement/<int:pk>/activities/propose/", views.activity_propose, name="activity_propose"),
    path("my/placement/<int:pk>/activities/<int:activity_pk>/", views.activity_signup, name="activity_signup"),
    path("my/alumni/", views.my_alumni, name="my_alumni"),
    path("my/alumni/<int:pk>/", views.my_alumni_edit, name="my_alumni_edit"),
    path("my/term-switches/<int:pk>/withdraw/", views.term_switch_withdraw, name="term_switch_withdraw"),
    # Shared by the student, the mentor, the coordinator and staff (each sees what they may).
    path("placements/", views.placement_list, name="placement_list"),
    path("placements/<int:pk>/", views.placement_detail, name="placement_detail"),
    path("placements/<int:pk>/checklist/<int:item_pk>/", views.checklist_tick, name="checklist_tick"),
    path("placements/<int:pk>/certificate.pdf", views.certificate_download, name="certificate_download"),
    path("placements/<int:pk>/onboarding/", views.onboarding_edit, name="onboarding_edit"),
    path("placements/<int:pk>/status/", views.placement_status, name="placement_status"),
    path("placements/<int:pk>/assessment/", views.assessment_submit, name="assessment_submit"),
    path("placements/<int:pk>/grade/", views.grade_confirm, name="grade_confirm"),
    path("term-switches/<int:pk>/decide/", views.term_switch_decide, name="term_switch_decide"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    # Public.
    path("verify/", views.verify, name="verify_form"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("cycles/<int:year>/forum/", views.forum, name="forum"),
]
