"""The authorization matrix (SECURITY.md Z1; ASVS 8.2.1, 8.2.2, 8.4.1; WSTG-ATHZ-02/03/04).

1. Every URL pattern the resolver knows is in `portal.authz.TABLE` (deny by default: a new
   page fails here until its policy is written down), the admin being one group.
2. Every entry of the table (URL name x method x role) is requested with agency A's objects
   and answers the outcome the table says; a refused request writes nothing.
3. Every object URL is tried by users of another scope (HR officer and approver of agency B,
   a regency's leader) with agency A's object, GET and POST with plausible data: never a
   2xx, nothing written, and exactly the answer a non-existent id gets (404 when their own
   role may use the URL), so no URL tells whether another agency's object exists.
4. The admin: anonymous users and users without `is_staff` are sent to the admin's login.

Every request runs in a savepoint that is rolled back, so each one starts from the same
data. The totals are printed (`-s`) and written to bench-results/authz.json.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished
from django.db import close_old_connections, connection, transaction
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from agencies.services import quarter_of
from performance.models import PerformanceContract
from portal.dashboard.decision_views import selection_digest
from rewards.models import Decision
from tests.security import policy as authz
from tests.security.policy import ALLOW, DENY, HIDDEN, INVALID, LOGIN, NOT_ALLOWED

from .conftest import changed_tables, fingerprint, formset_rows, survey_answers

pytestmark = pytest.mark.django_db
MISSING = 999_999_999  # an id no object has
LOGIN_PATH = "/accounts/login/"
ADMIN_LOGIN_PATH = "/admin/login/"
OTHER_SCOPES = {
    "officer_b": "officer",
    "approver_b": "approver",
    "regional": "leader",
    "civil_servant_b": "civil_servant",
}
TOTALS: Counter = Counter()
ACCESS_LOG = "personaldataaccess"  # performance.PersonalDataAccess, its table
PERFORMANCE_CSV = (
    "agency_code,holder,employee_name,position,year,quarter,indicator_code,indicator,"
    "unit,direction,weight,target,realisation\n"
    "DIKES,agency,,,2026,1,IKU1,Persentase persalinan di fasilitas kesehatan,%,higher,40,85,88.2\n"
)


# --- the resolver -----------------------------------------------------------------------


def patterns(resolver=None, namespace: str = "", prefix: str = ""):
    """(namespace, name with namespaces or None, route, URLPattern) of every pattern,
    through includes."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace
            inner = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from patterns(p, inner, prefix + str(p.pattern))
        else:
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield namespace, name, prefix + str(p.pattern), p


def portal_patterns() -> list[tuple[str | None, str, URLPattern]]:
    """(name, route, pattern) of every pattern but the admin's and the exempt ones."""
    return [
        (name, route, p)
        for namespace, name, route, p in patterns()
        if namespace.split(":")[0] != authz.ADMIN_NAMESPACE and route not in authz.EXEMPT_ROUTES
    ]


def kwarg_names(pattern: URLPattern) -> set[str]:
    return set(pattern.pattern.regex.groupindex)


# URLs whose arguments name no agency's object: the same file for every staff member.
NOT_OBJECTS = {"workspace:file_template"}
OBJECT_NAMES = sorted(
    name
    for name, _, p in portal_patterns()
    if kwarg_names(p)
    and name not in NOT_OBJECTS
    and not all(
        authz.table()[(name, "GET")].outcome(role) == ALLOW
        for role in authz.ROLES
        if (name, "GET") in authz.table()
    )
)


# --- URLs and data of agency A's objects ------------------------------------------------


def url_of(name: str, w, *, missing: bool = False) -> str:
    """`name`'s URL for agency A's object (or for an id no object has)."""
    o = w.objects

    def pk(obj) -> int:
        return MISSING if missing else obj.pk

    kwargs = {
        "agencies:detail": lambda: {"slug": "no-such-agency" if missing else "dikes"},
        "agencies:service": lambda: {"slug": "dikes", "code": "NONE" if missing else "KIA"},
        "agencies:survey": lambda: {"slug": "dikes", "code": "NONE" if missing else "KIA"},
        "agencies:survey_thanks": lambda: {"slug": "dikes", "code": "NONE" if missing else "KIA"},
        "agencies:survey_qr": lambda: {"slug": "dikes", "code": "NONE" if missing else "KIA"},
        "open_data_file": lambda: {"dataset": "agencies", "fmt": "csv"},
        "workspace:contract": lambda: {"pk": pk(o["draft"])},
        "workspace:contract_edit": lambda: {"pk": pk(o["draft"])},
        "workspace:contract_submit": lambda: {"pk": pk(o["draft"])},
        "workspace:contract_approve": lambda: {"pk": pk(o["submitted"])},
        "workspace:contract_return": lambda: {"pk": pk(o["submitted"])},
        "workspace:contract_revise": lambda: {"pk": pk(o["approved"])},
        "workspace:realisations": lambda: {"pk": pk(o["approved"]), "quarter": 1},
        "workspace:bulk_choose": lambda: {"agency_pk": pk(o["agency"])},
        "workspace:bulk_realisations": lambda: {
            "agency_pk": pk(o["agency"]),
            "year": 2026,
            "quarter": 1,
        },
        "workspace:evidence": lambda: {"pk": pk(o["evidence"])},
        "workspace:file_template": lambda: {"name": "no-such-file" if missing else "performance"},
        "services:paper": lambda: {"service_pk": pk(o["service"])},
        "services:metrics": lambda: {"service_pk": pk(o["service"])},
        "services:metrics_edit": lambda: {
            "service_pk": pk(o["service"]),
            "year": 2025,
            "quarter": 1,
        },
        "services:standard": lambda: {"service_pk": pk(o["service"])},
        "services:plans": lambda: {"service_pk": pk(o["service"])},
        "services:plan_create": lambda: {"service_pk": pk(o["service"])},
        "services:plan_edit": lambda: {"pk": pk(o["plan"])},
        "services:plan_update": lambda: {"pk": pk(o["plan"])},
        "staff_decisions:detail": lambda: {"pk": pk(o["penalty"])},
        "staff_decisions:object": lambda: {"pk": pk(o["penalty"])},
        "rewards:detail": lambda: {"pk": pk(o["recommended"])},
        "rewards:decide": lambda: {"pk": pk(o["recommended"])},
        "rewards:reverse": lambda: {"pk": pk(o["decided"])},
        "rewards:answer": lambda: {"pk": pk(o["objection"])},
        "ratings:agency": lambda: {"agency_pk": pk(o["agency"]), "year": 2025},
        "ratings:person": lambda: {"pk": pk(o["rated"])},
        "ratings:object": lambda: {"pk": pk(o["rated"])},
        "workspace:account_create": lambda: {"pk": pk(o["without_account"])},
        "workspace:account_link": lambda: {"pk": pk(o["unused_account"])},
        "workspace:accounts_create_all": lambda: {"agency_pk": pk(o["agency"])},
        "first_login": lambda: {"uidb64": "MA", "token": "no-such-token"},
        # the civil servant's own records (citra's)
        "me:contract": lambda: {"pk": pk(o["rated"])},
        "me:rating_object": lambda: {"pk": pk(o["rated"])},
        "me:decision": lambda: {"pk": pk(o["penalty"])},
        "me:decision_object": lambda: {"pk": pk(o["penalty"])},
        "workspace:employee": lambda: {"pk": pk(o["employee"])},
        "workspace:employee_edit": lambda: {"pk": pk(o["employee"])},
        "workspace:employee_transfer": lambda: {"pk": pk(o["employee"])},
        "workspace:employee_end": lambda: {"pk": pk(o["employee"])},
    }.get(name, dict)()
    url = reverse(name, kwargs=kwargs)
    if name == "rewards:queue_all":  # select-all: the queue's filters name agency A
        url += f"?agency={pk(o['agency'])}"
    return url


def post_data(name: str, w) -> dict:
    """Plausible form data for `name` (what the page's own form would send for agency A's
    object); a fresh dict per call (uploaded files are read once)."""
    o = w.objects
    today = datetime.date.today()
    now = quarter_of(today)
    if name == "workspace:contract_create":
        return {
            "agency": o["agency"].pk,
            "holder": "agency",
            "year": 2026,
            "ind-TOTAL_FORMS": 1,
            "ind-INITIAL_FORMS": 0,
            "ind-0-code": "IKU9",
            "ind-0-text": "Indikator baru",
            "ind-0-unit": "%",
            "ind-0-direction": "higher",
            "ind-0-weight": "1",
            "ind-0-target_q1": "10",
        }
    if name == "workspace:contract_edit":
        return formset_rows(o["draft"], text_suffix=" (diubah)")
    if name == "workspace:contract_submit":
        return {"version": o["draft"].version}
    if name == "workspace:contract_approve":
        return {"version": o["submitted"].version}
    if name == "workspace:contract_return":
        return {"version": o["submitted"].version, "reason": "Lengkapi target"}
    if name == "workspace:contract_revise":
        contract = o["approved"]
        return {
            "version": contract.version,
            "reason": "Revisi anggaran",
            **{f"i{ind.pk}_q{q}": "110" for ind in contract.indicators.all() for q in (1, 2, 3, 4)},
        }
    if name == "workspace:realisations":
        contract = o["approved"]
        return {
            "version": contract.version,
            **{f"i{ind.pk}-value": "95" for ind in contract.indicators.all()},
        }
    if name == "workspace:bulk_realisations":
        contracts = PerformanceContract.objects.filter(agency=o["agency"], year=2026)
        data = {f"v{c.pk}": c.version for c in contracts}
        for c in contracts:
            data.update({f"i{ind.pk}-value": "95" for ind in c.indicators.all()})
        return data
    if name == "workspace:bulk_choose":
        return {"year": 2026, "quarter": 1}
    if name == "workspace:upload":
        return {"file": SimpleUploadedFile("performance.csv", PERFORMANCE_CSV.encode(), "text/csv")}
    if name == "workspace:upload_confirm":
        return {"token": "not-a-staged-upload"}
    if name == "workspace:preview":
        return {"agency": o["agency"].pk, "year": 2025}
    if name == "workspace:late_changes":
        return {"changes": [o["late_change"].pk], "action": "confirm", "note": ""}
    if name == "services:paper":
        return {
            "year": now.year,
            "quarter": now.quarter,
            "token": str(uuid.uuid4()),
            "p-TOTAL_FORMS": 1,
            "p-INITIAL_FORMS": 0,
            **{f"p-0-u{n}": "3" for n in range(1, 10)},
        }
    if name == "services:metrics_edit":
        return {"applications": "100", "completed_on_time": "80", "completed_late": "10"}
    if name == "services:standard":
        return {"loaded": "", "requirements": "KTP-el\nKartu Keluarga", "standard_days": "3"}
    if name == "services:plan_create":
        return {
            "year": 2025,
            "quarter": 1,
            "action": "Menambah petugas loket",
            "unit": "Bidang Pelayanan",
            "due_date": (today + datetime.timedelta(days=60)).isoformat(),
        }
    if name == "services:plan_edit":
        plan = o["plan"]
        return {
            "loaded": plan.updated_at.isoformat(),
            "action": "Menambah dua petugas loket",
            "unit": plan.unit,
            "due_date": plan.due_date.isoformat(),
        }
    if name == "services:plan_update":
        return {"on": today.isoformat(), "text": "Petugas sudah ditambah", "status": "done"}
    if name == "staff_decisions:object":
        return {"text": "Mohon ditinjau kembali"}
    if name == "ratings:agency":
        prefix = f"r{o['to_rate'].pk}"
        return {
            f"{prefix}-results": "above",
            f"{prefix}-behaviour": "above",
            # A reason, needed when the rating differs from the suggestion.
            f"{prefix}-reason": "Hasil kerja melampaui target",
        }
    if name == "ratings:person":
        return {
            "results": "below",
            "behaviour": "as_expected",
            "reason": "Koreksi atas perilaku",
            "confirm_changes": "on",
        }
    if name in ("ratings:object", "me:rating_object", "me:decision_object"):
        return {"text": "Mohon ditinjau kembali"}
    if name == "first_login":
        new = "a-new-long-passphrase-2025"
        return {"new_password1": new, "new_password2": new}
    if name == "ratings:upload":
        nip = o["to_rate"].employee.nip
        rows = (
            "agency_code,nip,year,results_rating,behaviour_rating,reason\n"
            f"DIKES,{nip},2025,above,above,\n"
        )
        return {"file": SimpleUploadedFile("ratings.csv", rows.encode(), "text/csv")}
    if name == "workspace:employee_create":
        return {
            "agency": o["agency"].pk,
            "nip": "196501012020011999",
            "name": "Pegawai Baru",
            "position": "Analis",
        }
    if name == "workspace:employee_edit":
        return {"nip": o["employee"].nip, "name": "Fajar Hidayat", "position": "Analis"}
    if name == "workspace:employee_transfer":
        on = today + datetime.timedelta(days=30)
        return {"agency": w.cast.agency_b.pk, "on": on.isoformat()}
    if name == "workspace:employee_end":
        return {"on": today.isoformat(), "reason": "Pensiun"}
    if name == "rewards:queue":
        return {"decisions": [o["recommended"].pk], "action": "approve", "reason": ""}
    if name == "rewards:queue_all":  # the fingerprint of the set the page showed
        shown = Decision.objects.filter(agency=o["agency"], status=Decision.Status.RECOMMENDED)
        return {"action": "approve", "digest": selection_digest(shown.values_list("pk", flat=True))}
    if name == "rewards:decide":
        return {"action": "approve", "reason": ""}
    if name == "rewards:reverse":
        return {"reason": "Data nilai keliru"}
    if name == "rewards:answer":
        return {"answer": "Keberatan diterima"}
    if name == "agencies:survey":
        return survey_answers(o["service"])
    if name == "login":
        return {"username": "nobody", "password": "not-the-password-1"}
    if name == "two_factor":
        return {"token": "123456"}
    if name == "password_change":
        new = "a-new-long-passphrase-2025"
        return {
            "old_password": "correct-horse-battery-9",
            "new_password1": new,
            "new_password2": new,
        }
    if name == "set_language":
        return {"language": "en", "next": "/"}
    return {}


# --- requests and outcomes --------------------------------------------------------------


def outcome_of(response, login_path: str = LOGIN_PATH) -> str:
    status = response.status_code
    location = response.get("Location", "")
    if status in (301, 302, 303, 307, 308) and location.startswith(login_path):
        return LOGIN
    if 200 <= status < 300 or (300 <= status < 400 and location.startswith("/")):
        return ALLOW
    return {400: INVALID, 403: DENY, 404: HIDDEN, 405: NOT_ALLOWED}.get(status, f"HTTP {status}")


WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|TRUNCATE)\b", re.IGNORECASE)
# Tables a request may write whoever sends it: the session (its idle clock, messages) and
# django-axes' record of login attempts.
FREE_TABLES = re.compile(r"django_session|axes_", re.IGNORECASE)


def writes_in(queries: list[dict]) -> list[str]:
    """The data-changing statements among `queries` (sessions and login attempts aside)."""
    return [
        q["sql"][:120]
        for q in queries
        if WRITE.match(q["sql"]) and not FREE_TABLES.search(q["sql"].split("(")[0][:200])
    ]


def request(w, who: str, method: str, url: str, data: dict | None = None, *, deep=False):
    """One request as `who`, in a savepoint rolled back afterwards: (response, outcome,
    what it wrote). A refused request's writes are the data-changing SQL it ran and, with
    `deep`, the tables whose rows differ from the data set's. Counted in the totals."""
    client = w.client(who)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        response = client.get(url) if method == "GET" else client.post(url, data or {})
        if getattr(response, "streaming", False):
            # A streamed CSV runs its queries as it is read: read it inside the savepoint.
            streamed = response
            response = HttpResponse(
                b"".join(streamed.streaming_content), status=streamed.status_code
            )
            for header, value in streamed.items():
                response[header] = value
        outcome = outcome_of(
            response, ADMIN_LOGIN_PATH if url.startswith("/admin/") else LOGIN_PATH
        )
        written = []
        if outcome != ALLOW:
            written = writes_in(queries.captured_queries)
            if deep:
                written += changed_tables(w.baseline, fingerprint())
        transaction.set_rollback(True)
    # Close it as a WSGI server would (an evidence file's handle), without the signal that
    # closes the database connection: the data set's transaction lives on it.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    if outcome == NOT_ALLOWED:
        # A workflow step answers 405 to GET after finding the contract, and the lookup
        # of an SKP is logged as an access to a person's record: more log, not a change.
        written = [t for t in written if ACCESS_LOG not in t.lower()]
    TOTALS["requests"] += 1
    if outcome != ALLOW:
        TOTALS["refused"] += 1
    return response, outcome, written


@pytest.fixture(scope="module", autouse=True)
def sweep_summary():
    """Print and record the sweep's totals when the module is done."""
    TOTALS.clear()
    yield TOTALS
    line = (
        f"authorization sweep: {TOTALS['requests']} requests, {TOTALS['refused']} refused, "
        f"{TOTALS['unexpected']} unexpected"
    )
    print(f"\n{line}")
    out = Path(settings.BASE_DIR) / "bench-results"
    try:
        out.mkdir(exist_ok=True)
        (out / "authz.json").write_text(
            json.dumps(
                {
                    "table_rows": len(authz.TABLE),
                    "table_entries": len(authz.TABLE) * len(authz.ROLES),
                    "requests": TOTALS["requests"],
                    "refused": TOTALS["refused"],
                    "unexpected_2xx": TOTALS["unexpected"],
                    "cross_scope_requests": TOTALS["cross_scope"],
                    "admin_requests": TOTALS["admin"],
                    "summary": line,
                },
                indent=2,
            )
            + "\n"
        )
    except OSError:  # a read-only checkout: the printed line is the record
        pass


# --- 1. completeness --------------------------------------------------------------------


def test_every_url_pattern_is_in_the_table():
    table = authz.table()
    unnamed = [route for name, route, _ in portal_patterns() if not name]
    missing = sorted(
        {
            f"{name} {method}"
            for name, _, _ in portal_patterns()
            if name
            for method in ("GET", "POST")
            if (name, method) not in table
        }
    )
    assert not unnamed, f"URL patterns without a name (name them, then add them): {unnamed}"
    assert not missing, f"URL patterns missing from the policy (deny by default): {missing}"
    names = {name for name, _, _ in portal_patterns()}
    stale = sorted({rule.name for rule in authz.TABLE} - names)
    assert not stale, f"table rows for URLs that no longer exist: {stale}"
    assert all(rule.outcome(r) in authz.OUTCOMES for rule in authz.TABLE for r in authz.ROLES)
    assert len(table) == len(authz.TABLE), "a (name, method) row appears twice"


# --- 2. every entry -----------------------------------------------------------------------


@pytest.mark.parametrize("rule", authz.TABLE, ids=[f"{r.name}-{r.method}" for r in authz.TABLE])
def test_table_entry(in_world, rule):
    w = in_world
    url = url_of(rule.name, w)
    wrong = []
    for role in authz.ROLES:
        data = post_data(rule.name, w) if rule.method == "POST" else None
        response, outcome, written = request(w, role, rule.method, url, data)
        expected = rule.outcome(role)
        if outcome != expected:
            if outcome == ALLOW:
                TOTALS["unexpected"] += 1
            wrong.append(
                f"{role}: {outcome} (HTTP {response.status_code} "
                f"{response.get('Location', '')}), table says {expected}"
            )
        if written:
            wrong.append(f"{role}: refused ({outcome}) but wrote {written}")
    assert not wrong, f"{rule.method} {url}:\n" + "\n".join(wrong)


# --- 3. other scopes, agency A's objects ------------------------------------------------------


@pytest.mark.parametrize("name", OBJECT_NAMES)
def test_other_scopes_cannot_tell_or_touch_agency_as_object(in_world, name):
    w = in_world
    table = authz.table()
    url, ghost = url_of(name, w), url_of(name, w, missing=True)
    assert url != ghost
    wrong = []
    for who, own_role in OTHER_SCOPES.items():
        for method in ("GET", "POST"):
            data = post_data(name, w) if method == "POST" else None
            response, outcome, written = request(w, who, method, url, data, deep=True)
            TOTALS["cross_scope"] += 1
            if outcome == ALLOW:
                TOTALS["unexpected"] += 1
                wrong.append(f"{who} {method}: HTTP {response.status_code} on agency A's object")
            if written:
                wrong.append(f"{who} {method}: wrote {written}")
            data = post_data(name, w) if method == "POST" else None
            ghost_response, _, _ = request(w, who, method, ghost, data)
            if ghost_response.status_code != response.status_code:
                wrong.append(
                    f"{who} {method}: HTTP {response.status_code} for agency A's object but "
                    f"{ghost_response.status_code} for no object (an existence oracle)"
                )
            if table[(name, method)].outcome(own_role) == ALLOW and outcome != HIDDEN:
                wrong.append(f"{who} {method}: {outcome}, not 404, though a {own_role} may use it")
    assert not wrong, f"{url}:\n" + "\n".join(wrong)


def test_object_urls_are_the_ones_expected():
    """The sweep above covers every workspace, services, decisions object URL (a new object
    URL joins it by itself; this guards the detection)."""
    assert {
        "workspace:contract",
        "workspace:contract_edit",
        "workspace:evidence",
        "workspace:bulk_realisations",
        "services:paper",
        "services:metrics_edit",
        "staff_decisions:object",
        "rewards:decide",
        "rewards:answer",
        "workspace:account_create",
        "workspace:account_link",
        "me:contract",
        "me:decision",
        "me:decision_object",
        "me:rating_object",
        "workspace:employee",
        "workspace:employee_transfer",
        "workspace:employee_end",
    } <= set(OBJECT_NAMES)
    assert "agencies:detail" not in OBJECT_NAMES  # public pages: everyone may read them


# --- 4. the admin -------------------------------------------------------------------------


def _admin_path(route: str) -> str:
    """A concrete path for an admin route: "1" for ids, the first app label an app index
    accepts, a made-up page for the catch-all."""
    route = re.sub(r"\(\?P<app_label>([^)|]+)[^)]*\)", r"\1", route)
    route = re.sub(r"\(\?P<url>\.\*\)", "no/such/page/", route)
    route = re.sub(r"<(?:\w+:)?\w+>", "1", route)
    return "/" + route.replace("^", "").replace("$", "")


def admin_urls() -> list[tuple[str | None, str]]:
    return [
        (name, _admin_path(route))
        for namespace, name, route, _ in patterns()
        if namespace.split(":")[0] == authz.ADMIN_NAMESPACE
    ]


def test_admin_sends_anonymous_and_non_staff_users_to_its_login(in_world):
    w = in_world
    assert not any(u.is_staff for u in w.users.values() if u is not None)
    wrong = []
    urls = admin_urls()
    assert len(urls) > 50  # every model's changelist, add, change, history, delete...
    for name, url in urls:
        for role in authz.ROLES:
            for method in ("GET", "POST"):
                response, outcome, written = request(w, role, method, url)
                TOTALS["admin"] += 1
                expected = authz.ADMIN_OPEN.get(name, {}).get(method, LOGIN)
                if outcome != expected:
                    if outcome == ALLOW:
                        TOTALS["unexpected"] += 1
                    wrong.append(f"{role} {method} {url}: {outcome}, expected {expected}")
                if written:
                    wrong.append(f"{role} {method} {url}: wrote {written}")
    assert not wrong, "\n".join(wrong[:50])


def test_the_sweep_sees_a_write_when_there_is_one(in_world):
    """The negative control: the detectors of the sweep above are not blind. An allowed
    submit writes the contract, which both the SQL and the row fingerprint show."""
    w = in_world
    client = w.client("officer")
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            url_of("workspace:contract_submit", w), post_data("workspace:contract_submit", w)
        )
    assert response.status_code == 302
    assert writes_in(queries.captured_queries)
    assert "performance.PerformanceContract" in changed_tables(w.baseline, fingerprint())


LIST_NAMES = sorted(
    rule.name
    for rule in authz.TABLE
    if rule.method == "GET"
    and rule.anonymous != ALLOW
    and rule.name not in OBJECT_NAMES
    and rule.name.split(":")[0]
    in ("workspace", "services", "staff_decisions", "dashboard", "rewards", "me")
)


def private_markers(w) -> list[str]:
    """What only users over agency A may read: its staff's NIPs, the addresses of its
    contracts, decisions and evidence, a citizen's suggestion to its service."""
    from performance.models import Employee
    from rewards.models import Decision

    a = w.objects["agency"]
    return [
        *Employee.objects.filter(agency=a).values_list("nip", flat=True),
        *(
            reverse("workspace:contract", args=[pk])
            for pk in PerformanceContract.objects.filter(agency=a).values_list("pk", flat=True)
        ),
        *(
            reverse(view, args=[pk])
            for pk in Decision.objects.filter(agency=a).values_list("pk", flat=True)
            for view in ("rewards:detail", "staff_decisions:detail")
        ),
        reverse("workspace:evidence", args=[w.objects["evidence"].pk]),
        "Antrean terlalu panjang",
    ]


@pytest.mark.parametrize("name", LIST_NAMES)
def test_lists_show_other_scopes_nothing_of_agency_a(in_world, name):
    """The pages without an id that other scopes may open (lists, dashboards, CSVs) carry
    none of agency A's private data to them."""
    w = in_world
    markers = private_markers(w)
    url = url_of(name, w)
    leaks = []
    a = w.objects["agency"]
    # Also with every filter pointed at agency A (its id, slug, region, service).
    aimed = (
        f"{url}?agency={a.pk}&agency_id={a.pk}&region={a.region_id}&slug={a.slug}"
        f"&service={w.objects['service'].pk}&year=2025&status="
    )
    for who in ("citizen", *OTHER_SCOPES):
        for address in (url, aimed):
            response, outcome, _ = request(w, who, "GET", address)
            if outcome != ALLOW:
                continue
            body = response.content.decode()
            leaks += [f"{who} {address}: {m}" for m in markers if m in body]
    assert not leaks, f"{url} shows agency A's private data:\n" + "\n".join(leaks)


def test_the_markers_are_on_the_pages_of_agency_as_own_users(in_world):
    """The positive control of the test above: agency A's officer and the auditor do see
    them."""
    w = in_world
    markers = private_markers(w)
    for who, name in (
        ("officer", "workspace:contracts"),
        ("auditor", "rewards:queue"),
        ("civil_servant", "me:home"),
    ):
        body = request(w, who, "GET", url_of(name, w))[0].content.decode()
        assert any(m in body for m in markers), (who, name)
