from django.urls import path

from . import views

app_name = "office_exports"

urlpatterns = [
    path("office/exports/", views.staff_exports, name="staff"),
    path("unit/exports/", views.unit_exports, name="unit"),
    path("exports/<int:pk>/", views.export_detail, name="detail"),
]
