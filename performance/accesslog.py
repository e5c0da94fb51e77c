"""Recording staff access to individual civil servants' records (`PersonalDataAccess`)."""

from django.http import HttpRequest

from .models import PersonalDataAccess


def log_personal_access(request: HttpRequest, *, agency_id: int, employee_id: int | None) -> None:
    """One row per page that showed personal data: the user, the agency and, when the page was
    about one person, that person. One INSERT; GET and POST alike."""
    PersonalDataAccess.objects.create(
        user=request.user, agency_id=agency_id, employee_id=employee_id, path=request.path[:300]
    )
