from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from unionapp import views
from unionapp.forms import LoginForm
from unionapp.scoping import login_not_required, no_capability

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("help/", views.help_page, name="help"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        no_capability(views.PasswordChange.as_view()),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        no_capability(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/import/", views.unit_import, name="unit_import"),
    path("units/import/units.xlsx", views.unit_import_template, name="unit_import_template"),
    path("units/<int:pk>/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/close/", views.unit_active, name="unit_active"),
    path("units/<int:pk>/log/", views.unit_log, name="unit_log"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
    path("users/<int:pk>/lock/", views.user_active, name="user_active"),
    path("roles/<int:pk>/remove/", views.assignment_remove, name="assignment_remove"),
    path("", include("members.urls")),
    path("", include("referrals.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
]
