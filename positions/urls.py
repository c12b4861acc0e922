from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    # Public post list and detail
    path("posts/", views.post_list, name="post_list"),
    path("posts/<int:pk>/", views.post_detail, name="post_detail"),
]
