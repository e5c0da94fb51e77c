"""The HR officer's workspace, mounted at /workspace/ (namespace "workspace")."""

from django.urls import path

from . import (
    account_views,
    employee_views,
    file_templates,
    late_views,
    notification_views,
    reports,
    views,
)

app_name = "workspace"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("contracts/", views.contract_list, name="contracts"),
    path("contracts/new/", views.contract_create, name="contract_create"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
    path("contracts/<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("contracts/<int:pk>/submit/", views.contract_submit, name="contract_submit"),
    path("contracts/<int:pk>/approve/", views.contract_approve, name="contract_approve"),
    path("contracts/<int:pk>/return/", views.contract_return, name="contract_return"),
    path("contracts/<int:pk>/revise/", views.contract_revise, name="contract_revise"),
    path("contracts/<int:pk>/realisations/<int:quarter>/", views.realisations, name="realisations"),
    path("agencies/<int:agency_pk>/realisations/", views.bulk_choose, name="bulk_choose"),
    path(
        "agencies/<int:agency_pk>/realisations/<int:year>/<int:quarter>/",
        views.bulk_realisations,
        name="bulk_realisations",
    ),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("upload/", views.csv_upload, name="upload"),
    path("templates/", file_templates.template_list, name="file_templates"),
    path("templates/<slug:name>.csv", file_templates.template_file, name="file_template"),
    path("upload/confirm/", views.csv_confirm, name="upload_confirm"),
    path("preview/", views.preview, name="preview"),
    path("audit/", views.audit, name="audit"),
    path("audit.csv", reports.audit_csv, name="audit_csv"),
    path("reports/late-changes/", reports.late_report, name="late_report"),
    path("reports/late-changes.csv", reports.late_report_csv, name="late_report_csv"),
    path("reports/uploads/", reports.uploads_report, name="uploads_report"),
    path("reports/uploads.csv", reports.uploads_report_csv, name="uploads_report_csv"),
    path("late-changes/", late_views.late_changes, name="late_changes"),
    path("notifications/", notification_views.preferences, name="notifications"),
    # Civil servants' own accounts (self-service), created by HR officers
    path("accounts/", account_views.account_list, name="accounts"),
    path("accounts/<int:pk>/create/", account_views.account_create, name="account_create"),
    path("accounts/<int:pk>/link/", account_views.account_link, name="account_link"),
    path(
        "accounts/agency/<int:agency_pk>/create/",
        account_views.accounts_create_all,
        name="accounts_create_all",
    ),
    path("employees/", employee_views.employee_list, name="employees"),
    path("employees/new/", employee_views.employee_create, name="employee_create"),
    path("employees/<int:pk>/", employee_views.employee_detail, name="employee"),
    path("employees/<int:pk>/edit/", employee_views.employee_edit, name="employee_edit"),
    path(
        "employees/<int:pk>/transfer/", employee_views.employee_transfer, name="employee_transfer"
    ),
    path("employees/<int:pk>/end/", employee_views.employee_end, name="employee_end"),
]
