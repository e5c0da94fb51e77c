"""The HR officers' decision pages, at /workspace/decisions/ (namespace "staff_decisions"):
the decisions about their agencies' staff and agencies, and objections to approved penalties.

Every view needs a login, is never cached, and reads decisions through
`agencies_for(user, role)`: another region's or agency's decision is a 404. Without the
role a page needs, the answer is 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.access import agencies_for
from agencies.models import Membership
from portal.common.decisions import (
    PAGE_SIZE,
    DecisionFilter,
    ObjectionForm,
    decision_for_user,
    history,
    ordered,
    require_role,
)
from portal.common.decorators import staff_view
from rewards import services
from rewards.models import Decision

Role = Membership.Role


# --- HR officers -----------------------------------------------------------------------


@staff_view
def staff_list(request: HttpRequest) -> HttpResponse:
    require_role(request, Role.HR_OFFICER)
    agencies = agencies_for(request.user, Role.HR_OFFICER)
    filters = DecisionFilter(
        request.GET,
        queryset=ordered(
            Decision.objects.for_agencies(agencies).exclude(status=Decision.Status.WITHDRAWN)
        ),
        agencies=agencies.order_by("name"),
    )
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "workspace/decisions/list.html", {"filter": filters, "page": page})


def _staff_detail(
    request: HttpRequest, decision: Decision, form: ObjectionForm | None = None, status=200
) -> HttpResponse:
    objections = list(decision.objections.all())
    can_object = not objections and services.can_object(decision, timezone.localdate())
    return render(
        request,
        "workspace/decisions/detail.html",
        {
            "decision": decision,
            "objections": objections,
            "history": history(decision),
            "form": (form or ObjectionForm()) if can_object else None,
            "deadline": decision.objection_deadline(),
        },
        status=status,
    )


@staff_view
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request, Role.HR_OFFICER)
    return _staff_detail(request, decision_for_user(request, pk, Role.HR_OFFICER))


@staff_view
@require_POST
def lodge_objection(request: HttpRequest, pk: int) -> HttpResponse:
    decision = decision_for_user(request, pk, Role.HR_OFFICER)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        return _staff_detail(request, decision, form, status=400)
    try:
        services.lodge_objection(
            user=request.user, decision=decision, text=form.cleaned_data["text"]
        )
    except services.DecisionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Objection lodged. The leader will answer it here."))
    return redirect("staff_decisions:detail", pk=decision.pk)
