from django.urls import path

from reports import views

urlpatterns = [
    path("units/<int:pk>/report/", views.report, name="report"),
    path("units/<int:pk>/report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("units/<int:pk>/dashboard/", views.dashboard, name="dashboard"),
    path("units/<int:pk>/targets/", views.targets, name="targets"),
    path("units/<int:pk>/ratings/", views.rating_report, name="rating_report"),
    path("units/<int:pk>/ratings.xlsx", views.rating_report_xlsx, name="rating_report_xlsx"),
]
