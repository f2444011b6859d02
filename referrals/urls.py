from django.urls import path

from referrals import views

urlpatterns = [
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/export.xlsx", views.referral_export, name="referral_export"),
    path("referrals/new/", views.referral_create, name="referral_create"),
    path("referrals/introducers/", views.introducer_search, name="introducer_search"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/edit/", views.referral_edit, name="referral_edit"),
    path("referrals/<int:pk>/<slug:step>/", views.referral_step, name="referral_step"),
    path("units/<int:pk>/pipeline/", views.pipeline_board, name="pipeline_board"),
    path("units/<int:pk>/pipeline/<slug:step>/", views.pipeline_many, name="pipeline_many"),
    path("units/<int:pk>/decisions/", views.decision_index, name="decision_index"),
    path("units/<int:pk>/decision.xlsx", views.decision_list, name="decision_list"),
    path("units/<int:pk>/decision/edit/", views.decision_edit, name="decision_edit"),
]
