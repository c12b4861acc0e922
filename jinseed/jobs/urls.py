from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("<int:pk>/status/", views.job_status, name="status"),
    path("<int:pk>/file/", views.job_file, name="file"),
]
