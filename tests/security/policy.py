"""The authorization policy, as a table: for every named URL, every role and each of GET and
POST, what the portal answers. Data, reviewed like code.

Nothing reads this table at run time: the views enforce access themselves (`agencies_for`,
`has_role`, `login_required`). The table is what they must do, and
`tests/security/test_authorization_matrix.py` holds them to it. That test enumerates every
URL pattern from the resolver and fails when a named pattern is missing here, so a new page
is refused by the test until somebody writes down who may use it (deny by default).

Each row is one URL name and method, and the outcome for each role, with the URL's objects
(contract, realisation, service, decision, objection, agency) those of agency A, a province
agency (DIKES in the test cast). The roles:

- `anonymous`: no account;
- `citizen`: an account with no role (403 on every staff page);
- `officer`: an HR officer of agency A;
- `approver`: an approver of agency A;
- `leader`: a province leader: sees every agency, decides on the province's own agencies
  (region 52, agency A among them), not on a regency's or city's (DESIGN.md, Integrity;
  `tests/security/test_authority.py` holds the difference to account);
- `regional`: a leader of a regency (Lombok Barat), which agency A is not in;
- `auditor`: an auditor (reads everything, changes nothing: a write answers 403 with a page
  that says the account is read-only, `portal/common/read_only.py`);
- `civil_servant`: a civil servant's own account (self-service, issue 23), linked to a civil
  servant of agency A who has a rated contract and an approved penalty: they read their own
  records at /workspace/me/ and lodge their own objections. The account holds no role, so
  every other page answers them as it answers a `citizen`: a row that leaves the column out
  means exactly that (`Rule.outcome`); the rows of their own pages write it out. Another
  civil servant's account (of agency B) tries this one's records with the other scopes
  below, and gets the 404 of a record that does not exist.

The outcomes:

- `allow`: the page or the action is served (2xx, or a 3xx that is not the login page);
- `login`: 302 to the login page;
- `deny`: 403, the role never may (same answer whatever the object);
- `hidden`: 404, the object is outside the user's scope (same answer as an object that
  does not exist, so the URL tells nothing about other agencies' data);
- `not_allowed`: 405, the method is not one the URL takes (checked after the login and,
  for the workflow steps of the workspace, after the object lookup, so that another
  agency's contract is a 404 whatever the method);
- `invalid`: 400, the posted data is refused by the form; nothing is saved. (A decision
  outside the leader's authority named in the bulk form is `hidden`, 404, like one that
  does not exist.)

Every object URL is also tried by users of another scope (an HR officer and an approver of
agency B, the regional leader, a civil servant of agency B) with agency A's objects: they must
get exactly what a non-existent id gets, and change nothing.

The Django admin (`admin:*`) is one group, `ADMIN`: its own login page and logout, and
everything else behind `admin_view` (users without `is_staff` go to the admin's login).
"""

from __future__ import annotations

from typing import NamedTuple

from portal.public.opendata import DATASETS

ROLES = (
    "anonymous",
    "citizen",
    "officer",
    "approver",
    "leader",
    "regional",
    "auditor",
    "civil_servant",
)

ALLOW = "allow"
LOGIN = "login"
DENY = "deny"
HIDDEN = "hidden"
NOT_ALLOWED = "not_allowed"
INVALID = "invalid"
OUTCOMES = (ALLOW, LOGIN, DENY, HIDDEN, NOT_ALLOWED, INVALID)

# Shorthands for the table's columns.
A, L, D, H, N, B = ALLOW, LOGIN, DENY, HIDDEN, NOT_ALLOWED, INVALID  # B: bad request


class Rule(NamedTuple):
    name: str
    method: str
    anonymous: str
    citizen: str
    officer: str
    approver: str
    leader: str
    regional: str
    auditor: str
    # Left out (None): the citizen's outcome; a civil servant's account holds no staff role.
    civil_servant: str | None = None

    def outcome(self, role: str) -> str:
        value = getattr(self, role)
        return self.citizen if value is None else value


# fmt: off
TABLE: tuple[Rule, ...] = tuple(Rule(*row) for row in (
    # name                              method  anon citizen officer approver leader regio. auditor
    # --- public pages: everyone, read-only (a POST to a cached page is refused: 405) ----------
    ("home",                            "GET",  A, A, A, A, A, A, A),
    ("home",                            "POST", N, N, N, N, N, N, N),
    ("agencies:list",                   "GET",  A, A, A, A, A, A, A),
    ("agencies:list",                   "POST", N, N, N, N, N, N, N),
    ("agencies:detail",                 "GET",  A, A, A, A, A, A, A),
    ("agencies:detail",                 "POST", N, N, N, N, N, N, N),
    ("agencies:service",                "GET",  A, A, A, A, A, A, A),
    ("agencies:service",                "POST", N, N, N, N, N, N, N),
    ("agencies:survey",                 "GET",  A, A, A, A, A, A, A),
    ("agencies:survey",                 "POST", A, A, A, A, A, A, A),
    ("agencies:survey_thanks",          "GET",  A, A, A, A, A, A, A),
    ("agencies:survey_thanks",          "POST", N, N, N, N, N, N, N),
    ("agencies:survey_qr",              "GET",  A, A, A, A, A, A, A),
    ("agencies:survey_qr",              "POST", A, A, A, A, A, A, A),
    ("service_search",                  "GET",  A, A, A, A, A, A, A),
    ("service_search",                  "POST", N, N, N, N, N, N, N),
    ("rankings",                        "GET",  A, A, A, A, A, A, A),
    ("rankings",                        "POST", N, N, N, N, N, N, N),
    ("compare",                         "GET",  A, A, A, A, A, A, A),
    ("compare",                         "POST", N, N, N, N, N, N, N),
    ("methodology",                     "GET",  A, A, A, A, A, A, A),
    ("methodology",                     "POST", N, N, N, N, N, N, N),
    ("open_data",                       "GET",  A, A, A, A, A, A, A),
    ("open_data",                       "POST", N, N, N, N, N, N, N),
    ("open_data_file",                  "GET",  A, A, A, A, A, A, A),
    ("open_data_file",                  "POST", N, N, N, N, N, N, N),
    ("corrections",                     "GET",  A, A, A, A, A, A, A),
    ("corrections",                     "POST", N, N, N, N, N, N, N),
    ("goals",                           "GET",  A, A, A, A, A, A, A),
    ("goals",                           "POST", N, N, N, N, N, N, N),
    ("open_data_catalogue",             "GET",  A, A, A, A, A, A, A),
    ("open_data_catalogue",             "POST", N, N, N, N, N, N, N),
    ("api:index",                       "GET",  A, A, A, A, A, A, A),
    ("api:index",                       "POST", N, N, N, N, N, N, N),
    ("api:schema",                      "GET",  A, A, A, A, A, A, A),
    ("api:schema",                      "POST", N, N, N, N, N, N, N),
    ("healthz",                         "GET",  A, A, A, A, A, A, A),
    ("healthz",                         "POST", A, A, A, A, A, A, A),
    ("set_language",                    "GET",  A, A, A, A, A, A, A),
    ("set_language",                    "POST", A, A, A, A, A, A, A),
    # --- accounts -----------------------------------------------------------------------
    ("login",                           "GET",  A, A, A, A, A, A, A),
    ("login",                           "POST", A, A, A, A, A, A, A),
    ("two_factor",                      "GET",  L, A, A, A, A, A, A),
    ("two_factor",                      "POST", L, A, A, A, A, A, A),
    ("two_factor_add",                  "GET",  L, A, A, A, A, A, A),
    ("two_factor_add",                  "POST", L, A, A, A, A, A, A),
    ("logout",                          "GET",  N, N, N, N, N, N, N),
    ("logout",                          "POST", A, A, A, A, A, A, A),
    ("password_change",                 "GET",  L, A, A, A, A, A, A),
    ("password_change",                 "POST", L, A, A, A, A, A, A),
    ("password_change_done",            "GET",  L, A, A, A, A, A, A),
    ("password_change_done",            "POST", L, N, N, N, N, N, N),
    # --- HR workspace: pages over the user's own agencies (403 without any role) -----------
    ("workspace:dashboard",             "GET",  L, D, A, A, A, A, A),
    ("workspace:dashboard",             "POST", L, D, A, A, A, A, A),
    ("workspace:contracts",             "GET",  L, D, A, A, A, A, A),
    ("workspace:contracts",             "POST", L, D, A, A, A, A, A),
    ("workspace:audit",                 "GET",  L, D, A, A, A, A, A),
    ("workspace:audit",                 "POST", L, D, A, A, A, A, A),
    ("workspace:audit_csv",             "GET",  L, D, A, A, A, A, A),
    ("workspace:audit_csv",             "POST", L, D, N, N, N, N, N),
    # reports over the user's own agencies (an auditor's: every agency)
    ("workspace:late_report",           "GET",  L, D, A, A, A, A, A),
    ("workspace:late_report",           "POST", L, D, N, N, N, N, N),
    ("workspace:late_report_csv",       "GET",  L, D, A, A, A, A, A),
    ("workspace:late_report_csv",       "POST", L, D, N, N, N, N, N),
    ("workspace:uploads_report",        "GET",  L, D, A, A, A, A, A),
    ("workspace:uploads_report",        "POST", L, D, N, N, N, N, N),
    ("workspace:uploads_report_csv",    "GET",  L, D, A, A, A, A, A),
    ("workspace:uploads_report_csv",    "POST", L, D, N, N, N, N, N),
    # One's own notification settings (no object in the URL): every role, auditors too
    # (how they are mailed is not the portal's data).
    ("workspace:notifications",         "GET",  L, D, A, A, A, A, A),
    ("workspace:notifications",         "POST", L, D, A, A, A, A, A),
    # officers only
    ("workspace:contract_create",       "GET",  L, D, A, H, H, H, D),
    ("workspace:contract_create",       "POST", L, D, A, H, H, H, D),
    ("workspace:upload",                "GET",  L, D, A, H, H, H, D),
    ("workspace:upload",                "POST", L, D, A, H, H, H, D),
    ("workspace:upload_confirm",        "GET",  L, D, N, N, N, N, N),
    ("workspace:file_templates",        "GET",  L, D, A, A, A, A, A),
    ("workspace:file_templates",        "POST", L, D, N, N, N, N, N),
    ("workspace:file_template",         "GET",  L, D, A, A, A, A, A),
    ("workspace:file_template",         "POST", L, D, N, N, N, N, N),
    ("workspace:upload_confirm",        "POST", L, D, A, H, H, H, D),
    # officers and approvers
    ("workspace:preview",               "GET",  L, D, A, A, H, H, D),
    ("workspace:preview",               "POST", L, D, A, A, H, H, D),
    # approvers only: the queue of late changes of their agencies (another agency's id: 400)
    ("workspace:late_changes",          "GET",  L, D, H, A, H, H, D),
    ("workspace:late_changes",          "POST", L, D, H, A, H, H, D),
    # agency A's contract: read by every role over A, changed by its officer or approver
    ("workspace:contract",              "GET",  L, D, A, A, A, H, A),
    ("workspace:contract",              "POST", L, D, A, A, A, H, A),
    ("workspace:contract_edit",         "GET",  L, D, A, H, H, H, D),
    ("workspace:contract_edit",         "POST", L, D, A, H, H, H, D),
    ("workspace:contract_submit",       "GET",  L, D, N, H, H, H, H),
    ("workspace:contract_submit",       "POST", L, D, A, H, H, H, D),
    ("workspace:contract_approve",      "GET",  L, D, H, N, H, H, H),
    ("workspace:contract_approve",      "POST", L, D, H, A, H, H, D),
    ("workspace:contract_return",       "GET",  L, D, H, A, H, H, D),
    ("workspace:contract_return",       "POST", L, D, H, A, H, H, D),
    ("workspace:contract_revise",       "GET",  L, D, A, H, H, H, D),
    ("workspace:contract_revise",       "POST", L, D, A, H, H, H, D),
    ("workspace:realisations",          "GET",  L, D, A, H, H, H, D),
    ("workspace:realisations",          "POST", L, D, A, H, H, H, D),
    ("workspace:bulk_choose",           "GET",  L, D, A, H, H, H, D),
    ("workspace:bulk_choose",           "POST", L, D, A, H, H, H, D),
    ("workspace:bulk_realisations",     "GET",  L, D, A, H, H, H, D),
    ("workspace:bulk_realisations",     "POST", L, D, A, H, H, H, D),
    ("workspace:evidence",              "GET",  L, D, A, A, A, H, A),
    ("workspace:evidence",              "POST", L, D, A, A, A, H, A),
    # civil servants (issue 23): agency A's read by every role over A, changed by its officers
    ("workspace:employees",             "GET",  L, D, A, A, A, A, A),
    ("workspace:employees",             "POST", L, D, N, N, N, N, N),
    ("workspace:employee_create",       "GET",  L, D, A, H, H, H, D),
    ("workspace:employee_create",       "POST", L, D, A, H, H, H, D),
    ("workspace:employee",              "GET",  L, D, A, A, A, H, A),
    ("workspace:employee",              "POST", L, D, N, N, N, N, N),
    ("workspace:employee_edit",         "GET",  L, D, A, H, H, H, D),
    ("workspace:employee_edit",         "POST", L, D, A, H, H, H, D),
    ("workspace:employee_transfer",     "GET",  L, D, A, H, H, H, D),
    ("workspace:employee_transfer",     "POST", L, D, A, H, H, H, D),
    ("workspace:employee_end",          "GET",  L, D, A, H, H, H, D),
    ("workspace:employee_end",          "POST", L, D, A, H, H, H, D),
    # --- HR workspace: services of agency A ------------------------------------------------
    ("services:list",                   "GET",  L, D, A, A, A, A, A),
    ("services:list",                   "POST", L, D, A, A, A, A, A),
    ("services:suggestions",            "GET",  L, D, A, A, A, A, A),
    ("services:suggestions",            "POST", L, D, A, A, A, A, A),
    ("services:paper",                  "GET",  L, D, A, H, H, H, D),
    ("services:paper",                  "POST", L, D, A, H, H, H, D),
    ("services:metrics",                "GET",  L, D, A, A, A, H, A),
    ("services:metrics",                "POST", L, D, A, A, A, H, A),
    ("services:metrics_edit",           "GET",  L, D, A, H, H, H, D),
    ("services:metrics_edit",           "POST", L, D, A, H, H, H, D),
    # the service standard and follow-up plans: read by every role over A, written by its officers
    ("services:standard",               "GET",  L, D, A, H, H, H, D),
    ("services:standard",               "POST", L, D, A, H, H, H, D),
    ("services:plans",                  "GET",  L, D, A, A, A, H, A),
    ("services:plans",                  "POST", L, D, A, A, A, H, A),
    ("services:plan_create",            "GET",  L, D, A, H, H, H, D),
    ("services:plan_create",            "POST", L, D, A, H, H, H, D),
    ("services:plan_edit",              "GET",  L, D, A, H, H, H, D),
    ("services:plan_edit",              "POST", L, D, A, H, H, H, D),
    ("services:plan_update",            "GET",  L, D, A, H, H, H, D),
    ("services:plan_update",            "POST", L, D, A, H, H, H, D),
    # --- HR workspace: decisions about agency A's staff, objections --------------------------
    ("staff_decisions:list",            "GET",  L, D, A, D, D, D, D),
    ("staff_decisions:list",            "POST", L, D, A, D, D, D, D),
    ("staff_decisions:detail",          "GET",  L, D, A, D, D, D, D),
    ("staff_decisions:detail",          "POST", L, D, A, D, D, D, D),
    ("staff_decisions:object",          "GET",  L, D, N, N, N, N, N),
    ("staff_decisions:object",          "POST", L, D, A, H, H, H, D),
    # --- ratings of civil servants (PermenPAN-RB 6/2022): read by any role over agency A,
    # given by its approvers, objected to by its HR officers --------------------------------
    ("ratings:index",                   "GET",  L, D, A, A, A, A, A),
    ("ratings:index",                   "POST", L, D, A, A, A, A, A),
    ("ratings:agency",                  "GET",  L, D, A, A, A, H, A),
    ("ratings:agency",                  "POST", L, D, H, A, H, H, D),
    ("ratings:person",                  "GET",  L, D, A, A, A, H, A),
    ("ratings:person",                  "POST", L, D, H, A, H, H, D),
    ("ratings:object",                  "GET",  L, D, N, N, N, N, N),
    ("ratings:object",                  "POST", L, D, A, H, H, H, D),
    ("ratings:upload",                  "GET",  L, D, H, A, H, H, D),
    ("ratings:upload",                  "POST", L, D, H, A, H, H, D),
    # --- civil servants' own accounts, created by agency A's HR officers (one, or every one
    # of the agency without an account), and the one-time first-login link (a made-up link
    # in the sweep: the page says it does not work, to anyone) --------------------------------
    ("workspace:accounts",              "GET",  L, D, A, D, D, D, D),
    ("workspace:accounts",              "POST", L, D, A, D, D, D, D),
    ("workspace:account_create",        "GET",  L, D, N, N, N, N, N),
    ("workspace:account_create",        "POST", L, D, A, H, H, H, D),
    ("workspace:account_link",          "GET",  L, D, N, N, N, N, N),
    ("workspace:account_link",          "POST", L, D, A, H, H, H, D),
    ("workspace:accounts_create_all",   "GET",  L, D, N, N, N, N, N),
    ("workspace:accounts_create_all",   "POST", L, D, A, H, H, H, D),
    ("first_login",                     "GET",  A, A, A, A, A, A, A, A),
    ("first_login",                     "POST", A, A, A, A, A, A, A, A),
    # --- a civil servant's own records (their contract, rating, decision): only theirs; any
    # other account, staff included, gets 403; another civil servant's record is a 404 -----
    #                                    anon citizen officer approver leader regional auditor civil
    ("me:home",                         "GET",  L, D, D, D, D, D, D, A),
    ("me:home",                         "POST", L, D, D, D, D, D, D, A),
    ("me:contract",                     "GET",  L, D, D, D, D, D, D, A),
    ("me:contract",                     "POST", L, D, D, D, D, D, D, A),
    ("me:rating_object",                "GET",  L, D, D, D, D, D, D, N),
    ("me:rating_object",                "POST", L, D, D, D, D, D, D, A),
    ("me:decision",                     "GET",  L, D, D, D, D, D, D, A),
    ("me:decision",                     "POST", L, D, D, D, D, D, D, A),
    ("me:decision_object",              "GET",  L, D, D, D, D, D, D, N),
    ("me:decision_object",              "POST", L, D, D, D, D, D, D, A),
    # --- leaders' dashboard: leaders and auditors ---------------------------------------------
    ("dashboard:overview",              "GET",  L, D, D, D, A, A, A),
    ("dashboard:overview",              "POST", L, D, D, D, A, A, A),
    ("dashboard:predikat_csv",          "GET",  L, D, D, D, A, A, A),
    ("dashboard:predikat_csv",          "POST", L, D, D, D, A, A, A),
    ("dashboard:below_target_csv",      "GET",  L, D, D, D, A, A, A),
    ("dashboard:below_target_csv",      "POST", L, D, D, D, A, A, A),
    ("dashboard:coherence",             "GET",  L, D, D, D, A, A, A),
    ("dashboard:coherence",             "POST", L, D, D, D, A, A, A),
    ("dashboard:coherence_csv",         "GET",  L, D, D, D, A, A, A),
    ("dashboard:coherence_csv",         "POST", L, D, D, D, A, A, A),
    ("dashboard:compliance",            "GET",  L, D, D, D, A, A, A),
    ("dashboard:compliance",            "POST", L, D, D, D, A, A, A),
    ("dashboard:compliance_csv",        "GET",  L, D, D, D, A, A, A),
    ("dashboard:compliance_csv",        "POST", L, D, D, D, A, A, A),
    ("dashboard:cascade",               "GET",  L, D, D, D, A, A, A),
    ("dashboard:cascade",               "POST", L, D, D, D, A, A, A),
    ("dashboard:follow_up",             "GET",  L, D, D, D, A, A, A),
    ("dashboard:follow_up",             "POST", L, D, D, D, A, A, A),
    # --- decisions: read by leaders and auditors, decided by the leaders over the agency ----
    ("rewards:queue",                   "GET",  L, D, D, D, A, A, A),
    ("rewards:queue",                   "POST", L, D, D, D, A, H, D),
    ("rewards:queue_all",               "GET",  L, D, D, D, A, H, D),
    ("rewards:queue_all",               "POST", L, D, D, D, A, H, D),
    ("rewards:detail",                  "GET",  L, D, D, D, A, H, A),
    ("rewards:detail",                  "POST", L, D, D, D, A, H, A),
    ("rewards:decide",                  "GET",  L, D, N, N, N, N, N),
    ("rewards:decide",                  "POST", L, D, H, H, A, H, D),
    ("rewards:reverse",                 "GET",  L, D, N, N, N, N, N),
    ("rewards:reverse",                 "POST", L, D, H, H, A, H, D),
    ("rewards:answer",                  "GET",  L, D, N, N, N, N, N),
    ("rewards:answer",                  "POST", L, D, H, H, A, H, D),
    ("rewards:objections",              "GET",  L, D, D, D, A, A, A),
    ("rewards:objections",              "POST", L, D, D, D, A, A, A),
)) + tuple(
    # The open-data API's list of each dataset (issue 24), like its files: everyone reads.
    Rule(f"api:{slug}", method, *[outcome] * 8)
    for slug in DATASETS
    for method, outcome in (("GET", ALLOW), ("POST", NOT_ALLOWED))
)
# fmt: on

# The Django admin, tested as one group: its login page is open, its logout sends a user
# without `is_staff` to the admin's index (which asks for a login), and every other admin
# URL sends a user without `is_staff` (anonymous or not) to the admin's login page.
ADMIN_NAMESPACE = "admin"
ADMIN_OPEN = {
    "admin:login": {"GET": ALLOW, "POST": ALLOW},
    "admin:logout": {"GET": ALLOW, "POST": ALLOW},
}

# Patterns the resolver lists that are not the portal's pages, by their route, with why.
# (None today: static files are served by whitenoise's middleware, not by a URL pattern,
# and the language switcher is a named page of the table above.)
EXEMPT_ROUTES: dict[str, str] = {}


def table() -> dict[tuple[str, str], Rule]:
    """The rules by (URL name, method)."""
    return {(rule.name, rule.method): rule for rule in TABLE}
