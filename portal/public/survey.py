"""The online SKM survey (PermenPAN-RB 14/2017): the citizen's form and the checks that keep
it honest.

`submit_survey` is the one entry point: a submission is either stored (channel web, in the
quarter of today in WITA), taken as a duplicate (not stored, the respondent still thanked),
or refused for a reason (`SurveyRefusal.Reason`) that is counted per service and day, never
stored as a response. The checks, in order:

1. rate limit: at most `SURVEY_RATE_LIMIT` submissions per client and service per hour (a
   counter in the Django cache: Redis in production, local memory otherwise), HTTP 429;
2. honeypot: a visually hidden field labelled "leave this field empty";
3. the signed time stamp the form was served with (`django.core.signing`): forged or older
   than `TOKEN_MAX_AGE` is invalid; answered in less than `SURVEY_MIN_SECONDS` is too fast;
4. the answers: each of the nine 1-4, the profile one of its choices;
5. single use: each served form carries a random nonce in its time stamp, and a time stamp
   is accepted once (noted in the cache for `TOKEN_MAX_AGE`), so the time floor is paid per
   response, not once for many. Sent again with the same answers (a double click) it is a
   duplicate; with other answers it is refused as replayed;
6. duplicate: the same client, service and answers within `DUPLICATE_WINDOW`.

CSRF is Django's middleware. The client is the address in `REMOTE_ADDR` (or, behind a proxy,
the header `CLIENT_IP_HEADER` names), an IPv6 address counted per /64, kept only as a keyed
hash in cache keys that expire within the hour.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import secrets
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage

from agencies.models import (
    ANSWER_FIELDS,
    AgeBand,
    Education,
    Occupation,
    Service,
    Sex,
    SurveyRefusal,
    SurveyResponse,
)
from portal.common.ratelimits import client_address

WITA = ZoneInfo("Asia/Makassar")
STAMP_SALT = "portal.public.survey.started"
TOKEN_MAX_AGE = 2 * 60 * 60  # seconds a served form stays valid
DUPLICATE_WINDOW = 10 * 60  # seconds within which identical answers count once
SUGGESTION_MAX_LENGTH = 1000
HONEYPOT = "website"
Reason = SurveyRefusal.Reason


def min_seconds() -> int:
    """The least time, in seconds, a person plausibly needs to answer the form."""
    return getattr(settings, "SURVEY_MIN_SECONDS", 20)


def rate_limit() -> int:
    """Submissions allowed per client and service per hour."""
    return getattr(settings, "SURVEY_RATE_LIMIT", 20)


# --- The questionnaire ---------------------------------------------------------------------


@dataclass(frozen=True)
class Element:
    field: str
    question: str
    answers: tuple[str, str, str, str]  # labels of the answers 1, 2, 3 and 4


# The questions and the answer labels of the regulation's questionnaire (PermenPAN-RB
# 14/2017, annex), in English; the comments give the regulation's own Indonesian words.
ELEMENTS = (
    Element(
        "u1",
        # Translators: "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan
        # jenis pelayanannya?"
        _("How well do the requirements of this service fit the kind of service it is?"),
        (
            # Translators: "tidak sesuai"
            _("not suitable"),
            # Translators: "kurang sesuai"
            _("less suitable"),
            # Translators: "sesuai"
            _("suitable"),
            # Translators: "sangat sesuai"
            _("very suitable"),
        ),
    ),
    Element(
        "u2",
        # Translators: "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit
        # ini?"
        _("How easy is the procedure of this service?"),
        (
            # Translators: "tidak mudah"
            _("not easy"),
            # Translators: "kurang mudah"
            _("less easy"),
            # Translators: "mudah"
            _("easy"),
            # Translators: "sangat mudah"
            _("very easy"),
        ),
    ),
    Element(
        "u3",
        # Translators: "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan
        # pelayanan?"
        _("How fast was the service delivered?"),
        (
            # Translators: "tidak cepat"
            _("not fast"),
            # Translators: "kurang cepat"
            _("less fast"),
            # Translators: "cepat"
            _("fast"),
            # Translators: "sangat cepat"
            _("very fast"),
        ),
    ),
    Element(
        "u4",
        # Translators: "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?"
        _("How fair is the cost or fee of the service?"),
        (
            # Translators: "sangat mahal"
            _("very expensive"),
            # Translators: "cukup mahal"
            _("rather expensive"),
            # Translators: "murah"
            _("cheap"),
            # Translators: "gratis"
            _("free"),
        ),
    ),
    Element(
        "u5",
        # Translators: "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang
        # tercantum dalam standar pelayanan dengan hasil yang diberikan?"
        _("How well does what you received match the product in the service standard?"),
        (
            # Translators: "tidak sesuai"
            _("not suitable"),
            # Translators: "kurang sesuai"
            _("less suitable"),
            # Translators: "sesuai"
            _("suitable"),
            # Translators: "sangat sesuai"
            _("very suitable"),
        ),
    ),
    Element(
        "u6",
        # Translators: "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam
        # pelayanan?"
        _("How competent were the staff who served you?"),
        (
            # Translators: "tidak kompeten"
            _("not competent"),
            # Translators: "kurang kompeten"
            _("less competent"),
            # Translators: "kompeten"
            _("competent"),
            # Translators: "sangat kompeten"
            _("very competent"),
        ),
    ),
    Element(
        "u7",
        # Translators: "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait
        # kesopanan dan keramahan?"
        _("How polite and friendly were the staff?"),
        (
            # Translators: "tidak sopan dan ramah"
            _("not polite and friendly"),
            # Translators: "kurang sopan dan ramah"
            _("less polite and friendly"),
            # Translators: "sopan dan ramah"
            _("polite and friendly"),
            # Translators: "sangat sopan dan ramah"
            _("very polite and friendly"),
        ),
    ),
    Element(
        "u8",
        # Translators: "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?"
        _("What is the quality of the facilities?"),
        (
            # Translators: "buruk"
            _("poor"),
            # Translators: "cukup"
            _("adequate"),
            # Translators: "baik"
            _("good"),
            # Translators: "sangat baik"
            _("very good"),
        ),
    ),
    Element(
        "u9",
        # Translators: "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?"
        _("How are complaints from service users handled?"),
        (
            # Translators: "tidak ada"
            _("there is no way to complain"),
            # Translators: "ada tetapi tidak berfungsi"
            _("there is one, but it does not work"),
            # Translators: "berfungsi kurang maksimal"
            _("it works, but not fully"),
            # Translators: "dikelola dengan baik"
            _("complaints are handled well"),
        ),
    ),
)
assert [e.field for e in ELEMENTS] == ANSWER_FIELDS  # noqa: S101 (a module invariant)


def _optional(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", _("Prefer not to say")), *choices]


class SurveyForm(forms.Form):
    """The nine answers (required, 1-4), the optional profile and suggestion, the honeypot and
    the time stamp the form was served with. Integrity checks are `submit_survey`'s."""

    age_band = forms.ChoiceField(label=_("Age"), required=False, choices=_optional(AgeBand.choices))
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=_optional(Sex.choices))
    education = forms.ChoiceField(
        label=_("Education"), required=False, choices=_optional(Education.choices)
    )
    occupation = forms.ChoiceField(
        label=_("Occupation"), required=False, choices=_optional(Occupation.choices)
    )
    suggestion = forms.CharField(
        label=_("Your suggestion for this service (optional)"),
        help_text=_("Read only by the agency. It is never published."),
        required=False,
        max_length=SUGGESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for number, element in enumerate(ELEMENTS, start=1):
            self.fields[element.field] = forms.TypedChoiceField(
                label=element.question,
                coerce=int,
                choices=[(i, label) for i, label in enumerate(element.answers, start=1)],
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Please choose an answer to question %(n)d.") % {"n": number},
                    "invalid_choice": _("Question %(n)d: choose one of the four answers.")
                    % {"n": number},
                },
            )
        self.order_fields(ANSWER_FIELDS)

    def questions(self) -> list[tuple[int, object, forms.BoundField]]:
        """(number, element name, bound field) of the nine questions, for the template."""
        return [
            (n, SurveyResponse._meta.get_field(f).verbose_name, self[f])
            for n, f in enumerate(ANSWER_FIELDS, start=1)
        ]

    def profile(self) -> list[forms.BoundField]:
        return [self[f] for f in ("age_band", "sex", "education", "occupation")]


# --- The client, the time stamp, the counters --------------------------------------------


def client_key(request: HttpRequest) -> str:
    """Who is submitting, for the rate limit and the duplicate check: a keyed hash of the
    client's address (IPv6 per /64, one household's or phone's prefix).

    The address is the one every per-client limit uses (`ratelimits.client_address`:
    REMOTE_ADDR, or the header a trusted proxy sets, named by `CLIENT_IP_HEADER`).
    """
    address = client_address(request)
    try:
        ip = ipaddress.ip_address(address)
        if ip.version == 6:
            address = str(ipaddress.ip_network(f"{ip}/64", strict=False))
    except ValueError:
        address = address[:100]
    return salted_hmac("portal.public.survey.client", address).hexdigest()[:32]


def issue_token(service: Service, now: float | None = None) -> str:
    """The signed time stamp a served form carries, bound to its service; a random nonce
    makes every served form's stamp its own (see `consume_token`)."""
    started = int(time.time() if now is None else now)
    return signing.dumps(
        {"s": service.pk, "t": started, "n": secrets.token_urlsafe(12)},
        salt=STAMP_SALT,
        compress=False,
    )


def _token_key(token: str) -> str:
    return "survey-token:" + hashlib.sha256(token.encode()).hexdigest()[:32]


def consume_token(token: str) -> bool:
    """Note that this (valid) time stamp has been used; False when it was already. Atomic
    (`cache.add`), and kept as long as the stamp could be valid."""
    return cache.add(_token_key(token), 1, timeout=TOKEN_MAX_AGE)


def token_problem(token: str, service: Service, now: float) -> str | None:
    """None when the form was served for `service` at least `min_seconds()` and at most
    `TOKEN_MAX_AGE` seconds ago; else `Reason.INVALID` (missing, forged, another service's or
    expired) or `Reason.TOO_FAST`."""
    try:
        value = signing.loads(token, salt=STAMP_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one too
        return Reason.INVALID
    if not isinstance(value, dict) or value.get("s") != service.pk:
        return Reason.INVALID
    if not isinstance(value.get("t"), int) or now - value["t"] > TOKEN_MAX_AGE:
        return Reason.INVALID
    if now - value["t"] < min_seconds():
        return Reason.TOO_FAST
    return None


def over_rate_limit(service: Service, client: str) -> int | None:
    """Count this submission against the client's limit for the service
    (`SURVEY_RATE_LIMIT` an hour, django-ratelimit's counter on the shared cache); the seconds
    until its window ends when it is over the limit, else None."""
    usage = get_usage(
        None,  # the key and the rate need no request
        group=f"survey:{service.pk}",
        key=lambda group, request: client,
        rate=f"{rate_limit()}/h",
        increment=True,
    )
    if usage is None or not usage["should_limit"]:
        return None
    return max(usage["time_left"], 1)


def _duplicate_key(service: Service, client: str, cleaned: dict) -> str:
    content = [cleaned[f] for f in ANSWER_FIELDS] + [
        cleaned.get(f, "") for f in ("age_band", "sex", "education", "occupation", "suggestion")
    ]
    digest = hashlib.sha256(repr(content).encode()).hexdigest()[:32]
    return f"survey-dup:{service.pk}:{client}:{digest}"


def record_refusal(service: Service, reason: str, day: datetime.date) -> None:
    """Add one to the refusals of `service` on `day` for `reason`: an UPDATE ... SET count =
    count + 1, or the day's first row. Two first refusals at once: the loser of the INSERT
    (unique service, day, reason) increments the winner's row instead. Safe under
    concurrency on PostgreSQL."""
    rows = SurveyRefusal.objects.filter(service=service, day=day, reason=reason)
    if rows.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            SurveyRefusal.objects.create(service=service, day=day, reason=reason, count=1)
    except IntegrityError:
        rows.update(count=F("count") + 1)


def wita_today(now: float) -> datetime.date:
    return datetime.datetime.fromtimestamp(now, tz=WITA).date()


# --- Submitting ----------------------------------------------------------------------------

STORED = "stored"
DUPLICATE = "duplicate"
REFUSED = "refused"
LIMITED = "limited"

MESSAGES = {
    Reason.HONEYPOT: _(
        "Your answers could not be accepted because the field “Leave this field empty” was "
        "filled in. Please empty it and send your answers again."
    ),
    Reason.INVALID: _(
        "This form has expired or could not be checked. Your answers are still here: "
        "please check them and send again."
    ),
    Reason.TOO_FAST: _(
        "The answers came in faster than a person can read the questions. Please check your "
        "answers and send them again."
    ),
    Reason.REPLAYED: _(
        "This form has already been sent once. If these are another person's answers, check "
        "them and send the form again in a moment."
    ),
}


@dataclass
class Outcome:
    """What became of a submission. `form` and `token` re-render a refused form."""

    status: str  # STORED, DUPLICATE, REFUSED or LIMITED
    reason: str | None = None
    form: SurveyForm | None = None
    token: str = ""
    response: SurveyResponse | None = None
    retry_after: int | None = None  # LIMITED: seconds until the client may send again

    @property
    def thanked(self) -> bool:
        """The respondent sees the thank-you page (a duplicate too: it was counted once)."""
        return self.status in (STORED, DUPLICATE)


def submit_survey(
    *, service: Service, data: object, client: str, now: float | None = None
) -> Outcome:
    """Check a submitted form and store it, count it as a duplicate, or refuse it (see the
    module's docstring). Every refusal and duplicate is counted in `SurveyRefusal`."""
    now = time.time() if now is None else now
    day = wita_today(now)

    def refuse(reason: str, outcome: Outcome) -> Outcome:
        record_refusal(service, reason, day)
        outcome.reason = reason
        return outcome

    retry = over_rate_limit(service, client)
    if retry is not None:
        return refuse(Reason.RATE_LIMITED, Outcome(LIMITED, retry_after=retry))

    form = SurveyForm(data)
    valid = form.is_valid()
    cleaned = form.cleaned_data
    token = cleaned.get("started", "")
    if cleaned.get(HONEYPOT) or (HONEYPOT in form.errors):
        form.add_error(None, MESSAGES[Reason.HONEYPOT])
        return refuse(Reason.HONEYPOT, Outcome(REFUSED, form=form, token=token))
    problem = token_problem(token, service, now)
    if problem == Reason.INVALID:
        form.add_error(None, MESSAGES[Reason.INVALID])
        return refuse(Reason.INVALID, Outcome(REFUSED, form=form, token=issue_token(service, now)))
    if not valid:
        return refuse(Reason.INVALID, Outcome(REFUSED, form=form, token=token))
    if problem == Reason.TOO_FAST:
        form.add_error(None, MESSAGES[Reason.TOO_FAST])
        return refuse(Reason.TOO_FAST, Outcome(REFUSED, form=form, token=token))

    duplicate_key = _duplicate_key(service, client, cleaned)
    if not consume_token(token):
        if cache.get(duplicate_key) is not None:  # the same answers again: a double click
            return refuse(Reason.DUPLICATE, Outcome(DUPLICATE))
        form.add_error(None, MESSAGES[Reason.REPLAYED])
        return refuse(Reason.REPLAYED, Outcome(REFUSED, form=form, token=issue_token(service, now)))
    if not cache.add(duplicate_key, 1, timeout=DUPLICATE_WINDOW):
        return refuse(Reason.DUPLICATE, Outcome(DUPLICATE))
    try:
        response = SurveyResponse.objects.create(
            service=service,
            year=day.year,
            quarter=(day.month - 1) // 3 + 1,
            channel=SurveyResponse.Channel.WEB,
            suggestion=cleaned["suggestion"].strip(),
            **{f: cleaned[f] for f in ANSWER_FIELDS},
            **{f: cleaned[f] for f in ("age_band", "sex", "education", "occupation")},
        )
    except Exception:
        # Not stored: sending it again is neither a duplicate nor a replay.
        cache.delete_many([duplicate_key, _token_key(token)])
        raise
    return Outcome(STORED, response=response)
