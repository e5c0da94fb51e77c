"""The approvers' queue of late changes (`/workspace/late-changes/`): realisations entered or
changed after their quarter closed, waiting for an approver of the agency to confirm or
reject them, one or several at once, all or nothing (DESIGN.md, Integrity;
performance/late.py).

Only approvers use it: the queue holds the late changes of `agencies_for(user, APPROVER)`
and the form takes only ids from it, so another agency's late change is refused (400), and
a user without the approver role gets a 404, as for the other approvers' pages. Whoever
entered a late change cannot decide it (`late.confirm`/`late.reject` refuse the whole batch).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.access import agencies_for
from agencies.models import Membership
from performance import contracts, late
from performance.accesslog import log_personal_access
from portal.common.decorators import staff_view

from .forms import LateDecisionForm

PAGE_SIZE = 50


@staff_view
def late_changes(request: HttpRequest) -> HttpResponse:
    approver_of = agencies_for(request.user, Membership.Role.APPROVER)
    if not approver_of.exists():
        raise Http404
    queue = late.queue_for(request.user)
    form = LateDecisionForm(request.POST or None, changes=queue)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            ids = [c.pk for c in form.cleaned_data["changes"]]
            confirming = form.cleaned_data["action"] == "confirm"
            try:
                if confirming:
                    done = late.confirm(ids, request.user, form.cleaned_data["note"])
                else:
                    done = late.reject(ids, request.user, form.cleaned_data["note"])
            except late.LateDecisionError as exc:
                for problem in exc.problems:
                    messages.error(request, problem)
                messages.error(request, _("Nothing was decided."))
                status = 409
            else:
                n = len(done)
                text = (
                    ngettext(
                        "%(n)d late change confirmed: it counts from the next recompute.",
                        "%(n)d late changes confirmed: they count from the next recompute.",
                        n,
                    )
                    if confirming
                    else ngettext("%(n)d late change rejected.", "%(n)d late changes rejected.", n)
                )
                messages.success(request, text % {"n": n})
                return redirect("workspace:late_changes")
        else:
            status = 400
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    for change in shown:
        change.label = contracts.contract_label(change.indicator.contract)
    # An SKP's realisations are a civil servant's records: one access row per agency shown.
    for agency_id in sorted(
        {c.indicator.contract.agency_id for c in shown if c.indicator.contract.employee_id}
    ):
        log_personal_access(request, agency_id=agency_id, employee_id=None)
    ticked = set(request.POST.getlist("changes")) if request.method == "POST" else set()
    return render(
        request,
        "workspace/late_changes.html",
        {"page": page, "changes": shown, "form": form, "ticked": ticked},
        status=status,
    )
