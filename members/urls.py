from django.urls import path

from members import views

urlpatterns = [
    path("members/", views.member_list, name="member_list"),
    path("members/export.xlsx", views.member_list_export, name="member_list_export"),
    path("members/new/", views.member_create, name="member_create"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/status/", views.member_status, name="member_status"),
    path("members/<int:pk>/status/undo/", views.member_status_undo, name="member_status_undo"),
    path("members/<int:pk>/transfer/", views.member_transfer, name="member_transfer"),
    path("members/<int:pk>/delete/", views.member_delete, name="member_delete"),
    path("transfers/", views.transfer_list, name="transfer_list"),
    path("transfers/<int:pk>/accept/", views.transfer_accept, name="transfer_accept"),
    path("transfers/<int:pk>/refuse/", views.transfer_refuse, name="transfer_refuse"),
    path("transfers/<int:pk>/withdraw/", views.transfer_withdraw, name="transfer_withdraw"),
    path("transfers/<int:pk>/end/", views.stay_end, name="stay_end"),
    path("units/<int:pk>/rating/", views.cell_rating, name="cell_rating"),
    path("units/<int:pk>/matured/", views.cell_matured, name="cell_matured"),
    path("units/<int:pk>/register.xlsx", views.register_export, name="register_export"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<str:token>/", views.import_preview, name="import_preview"),
    path("import/<str:token>/errors.xlsx", views.import_errors, name="import_errors"),
    path("import/batches/<int:pk>/undo/", views.import_undo, name="import_undo"),
]
