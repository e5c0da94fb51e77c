"""Private files: realisation evidence and staged CSV uploads.

They live under `MEDIA_ROOT/private`, have no URL (`url()` refuses) and reach a browser
only through workspace views that check access to the contract first. Names are generated,
never the uploader's, so a name cannot collide, traverse or reveal anything.
"""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

# Extension -> (content type, magic bytes at the start of the file).
EVIDENCE_TYPES: dict[str, tuple[str, bytes]] = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
}


@deconstructible
class PrivateStorage(FileSystemStorage):
    """`MEDIA_ROOT/private`, following MEDIA_ROOT when a test changes it; no public URL."""

    def __init__(self) -> None:
        super().__init__()

    @cached_property
    def base_location(self) -> str:
        return os.path.join(settings.MEDIA_ROOT, "private")

    def url(self, name: str | None) -> str:
        raise ValueError("private files have no URL; serve them through a view")


private_storage = PrivateStorage()


def get_private_storage() -> PrivateStorage:
    return private_storage


def evidence_upload_to(instance: object, filename: str) -> str:
    """A generated name keeping only the (checked, lower-cased) extension."""
    ext = os.path.splitext(filename)[1].lower()
    return f"evidence/{uuid.uuid4().hex}{ext}"


def content_type(name: str) -> str:
    return EVIDENCE_TYPES.get(os.path.splitext(name)[1].lower(), ("application/octet-stream",))[0]


def check_evidence(upload: UploadedFile) -> None:
    """Refuse anything but a PDF, PNG or JPEG within EVIDENCE_MAX_BYTES: the extension must be
    one of those and the first bytes must say the same type (a renamed file is refused)."""
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; at most %(max)s MB is accepted.")
            % {
                "size": f"{upload.size / 1_048_576:.1f}",
                "max": f"{settings.EVIDENCE_MAX_BYTES / 1_048_576:g}",
            },
            code="too_large",
        )
    ext = os.path.splitext(upload.name or "")[1].lower()
    if ext not in EVIDENCE_TYPES:
        raise ValidationError(_("Only PDF, JPG and PNG files are accepted."), code="type")
    magic = EVIDENCE_TYPES[ext][1]
    upload.seek(0)
    head = upload.read(len(magic))
    upload.seek(0)
    if head != magic:
        raise ValidationError(
            _("The file's content is not a %(ext)s file; only PDF, JPG and PNG files are accepted.")
            % {"ext": ext.lstrip(".").upper()},
            code="content",
        )
