"""The NIP (Nomor Induk Pegawai), the 18-digit civil-servant number.

Digits 1-8 are the birth date (YYYYMMDD), 9-14 the appointment month (YYYYMM), 15 the sex
(1 male, 2 female) and 16-18 a serial number.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def nip_problem(nip: str) -> str | None:
    """Why `nip` is not a valid NIP, in words, or None when it is valid."""
    # ASCII digits only: str.isdigit() also takes "²" or "٣", which int() then refuses.
    if not (nip.isascii() and nip.isdigit()):
        return _("a NIP has only digits (18 of them)")
    if len(nip) != 18:
        return _("a NIP has exactly 18 digits, got %(n)d") % {"n": len(nip)}
    try:
        born = datetime.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return _("digits 1-8 are not a real birth date (YYYYMMDD): %(d)s") % {"d": nip[0:8]}
    appointed_year, appointed_month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= appointed_month <= 12:
        return _("digits 9-14 are not a real appointment month (YYYYMM): %(d)s") % {"d": nip[8:14]}
    if (appointed_year, appointed_month) <= (born.year, born.month):
        return _("the appointment month %(a)s is not after the birth date %(b)s") % {
            "a": nip[8:14],
            "b": nip[0:8],
        }
    if nip[14] not in "12":
        return _("digit 15 (sex) must be 1 or 2, got %(d)s") % {"d": nip[14]}
    return None


def validate_nip(nip: str) -> None:
    problem = nip_problem(nip)
    if problem:
        raise ValidationError(problem, code="invalid_nip")
