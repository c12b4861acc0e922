from django.urls import path

from placements.office import views

app_name = "office"

urlpatterns = [
    path("office/", views.dashboard, name="dashboard"),
    path("office/refresh/", views.dashboard_refresh, name="dashboard_refresh"),
    path("office/tables/<slug:table>.csv", views.dashboard_csv, name="dashboard_csv"),
    path("office/alumni/", views.alumni_list, name="alumni_list"),
    path("office/alumni/survey/", views.alumni_survey, name="alumni_survey"),
    path("office/alumni/<int:pk>/", views.alumni_record, name="alumni_record"),
    path("office/groups/", views.groups, name="groups"),
    path("office/activities/", views.activities, name="activities"),
    path("office/activities/<int:pk>/attendance/", views.activity_attendance, name="activity_attendance"),
]
