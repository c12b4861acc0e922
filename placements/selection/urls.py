from django.urls import path

from placements.selection import views

app_name = "placements"

urlpatterns = [
    # The unit coordinator's workspace (own unit only).
    path("unit/", views.workspace, name="workspace"),
    path("unit/posts/new/", views.post_create, name="post_create"),
    path("unit/posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("unit/posts/<int:pk>/submit/", views.post_submit, name="post_submit"),
    path("unit/posts/<int:pk>/applicants/", views.post_applicants, name="post_applicants"),
    path("unit/posts/<int:pk>/applicants/bulk/", views.post_applicants_bulk, name="post_applicants_bulk"),
    path("unit/posts/<int:pk>/ranking/", views.post_ranking, name="post_ranking"),
    path("unit/applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("unit/applications/<int:pk>/review/", views.application_review, name="application_review"),
    path("unit/applications/<int:pk>/decide/", views.application_decide, name="application_decide"),
    path("unit/applications/<int:pk>/offer/", views.application_offer, name="application_offer"),
    path("unit/applications/<int:pk>/not-selected/", views.application_not_selected, name="application_not_selected"),
    path("unit/interviews/", views.slot_list, name="slot_list"),
    path("unit/interviews/slots/<int:pk>/", views.slot_detail, name="slot_detail"),
    path("unit/interviews/slots/<int:pk>/cancel/", views.slot_cancel, name="slot_cancel"),
    path("unit/interviews/<int:pk>/", views.interview_detail, name="interview_detail"),
    path("unit/interviews/<int:pk>/record/", views.interview_record, name="interview_record"),
    path("unit/interviews/<int:pk>/reschedule/", views.interview_reschedule, name="interview_reschedule"),
    path("unit/interviews/<int:pk>/cancel/", views.interview_cancel, name="interview_cancel"),
    # The student's side: booking an interview, answering offers.
    path("my/selection/", views.my_selection, name="my_selection"),
    path("my/interviews/slots/<int:pk>/book/", views.interview_self_book, name="interview_self_book"),
    path("my/interviews/<int:pk>/cancel/", views.interview_student_cancel, name="interview_student_cancel"),
    path("my/interviews/<int:pk>/move/", views.interview_student_move, name="interview_student_move"),
    path("my/offers/<int:pk>/accept/", views.offer_accept, name="offer_accept"),
    path("my/offers/<int:pk>/decline/", views.offer_decline, name="offer_decline"),
    # Programme staff: the selection across units.
    path("selection/", views.selection_overview, name="overview"),
    path("selection/cycles/<int:pk>/close/", views.selection_close, name="selection_close"),
    path("selection/cycles/<int:pk>/allocation/", views.allocation, name="allocation"),
    path("selection/cycles/<int:pk>/allocation/preview/", views.allocation_preview, name="allocation_preview"),
    path("selection/allocations/<int:pk>/confirm/", views.allocation_confirm, name="allocation_confirm"),
]
