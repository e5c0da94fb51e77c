import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from agencies.access import AUDITOR_MODELS
from agencies.audit import system_actor
from agencies.models import Agency, Membership, Region

AGENCY_ROLES = {Membership.Role.HR_OFFICER, Membership.Role.APPROVER}


def auditor_permissions() -> Q:
    """The view permissions of the models in `AUDITOR_MODELS`, and no other."""
    condition = Q(pk__in=[])
    for label in AUDITOR_MODELS:
        app_label, model = label.split(".")
        condition |= Q(
            content_type__app_label=app_label,
            content_type__model=model,
            codename=f"view_{model}",
        )
    return condition


def auditors_group() -> Group:
    """The "Auditors" group: the view permission of each model of the allow-list
    (`agencies.access.AUDITOR_MODELS`), nothing else; rebuilt each time, so a permission
    given by hand to the group goes."""
    group, _ = Group.objects.get_or_create(name="Auditors")
    group.permissions.set(Permission.objects.filter(auditor_permissions()))
    return group


class Command(BaseCommand):
    help = (
        "Create (or update) a user and give them a role: hr_officer and approver need "
        "--agency (one or more), a leader may have --region (none: the province): the "
        "authority whose civil servants they decide on; --view-region widens what they see "
        "(the province's code: every region; default: the same as --region)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Membership.Role.values)
        parser.add_argument("--agency", action="append", default=[], metavar="CODE")
        parser.add_argument(
            "--region",
            metavar="CODE",
            help="a leader's authority: the province (52, the default) decides on the "
            "province's own agencies, a regency or city on its agencies",
        )
        parser.add_argument(
            "--view-region",
            metavar="CODE",
            help="a leader's wider view: the province's code (52) sees every region's "
            "agencies (default: the same region as --region)",
        )
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-from-env",
            metavar="VAR",
            help="set the password from this environment variable (else the account has "
            "no usable password until an administrator sets one)",
        )

    @transaction.atomic
    def handle(
        self,
        *args,
        username,
        role,
        agency,
        region,
        view_region,
        email,
        password_from_env,
        **options,
    ):
        if role in AGENCY_ROLES and not agency:
            raise CommandError(f"--role {role} needs at least one --agency CODE.")
        if role not in AGENCY_ROLES and agency:
            raise CommandError(f"--role {role} is not tied to an agency; drop --agency.")
        if region and role != Membership.Role.LEADER:
            raise CommandError("--region goes with --role leader only.")
        if view_region and role != Membership.Role.LEADER:
            raise CommandError("--view-region goes with --role leader only.")
        if view_region and view_region not in (Region.PROVINCE_CODE, region):
            raise CommandError(
                f"--view-region {view_region} is not wider than the authority "
                f"{region or Region.PROVINCE_CODE}: give the province's code "
                f"({Region.PROVINCE_CODE}) for a view of every region, or leave it out."
            )
        agencies = list(Agency.objects.filter(code__in=agency))
        unknown = sorted(set(agency) - {a.code for a in agencies})
        if unknown:
            raise CommandError(f"Unknown agency code(s): {', '.join(unknown)}")
        region_obj = view_obj = None
        if region:
            region_obj = Region.objects.filter(code=region).first()
            if region_obj is None:
                raise CommandError(f"Unknown region code: {region}")
        if view_region:
            view_obj = Region.objects.filter(code=view_region).first()
            if view_obj is None:
                raise CommandError(f"Unknown region code: {view_region}")
        password = None
        if password_from_env:
            password = os.environ.get(password_from_env)
            if not password:
                raise CommandError(f"Environment variable {password_from_env} is empty or unset.")

        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": email}
        )
        if password is not None:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise CommandError("Password refused: " + " ".join(exc.messages)) from exc
            user.set_password(password)
        elif created:
            user.set_unusable_password()
        if email:
            user.email = email
        if role == Membership.Role.AUDITOR:
            # Auditors read everything in the admin and change nothing: view permissions only.
            user.is_staff = True
            user.save()
            user.groups.add(auditors_group())
        else:
            user.save()
        actor = system_actor("cli")
        for target in agencies or [None]:
            grant = {"user": user, "role": role, "agency": target, "region": region_obj}
            membership = Membership.objects.filter(**grant).first() or Membership(**grant)
            if membership.pk is None or membership.view_region != view_obj:
                membership.view_region = view_obj
                membership._history_user = actor  # the role's history names who granted it
                membership.save()
        scope = ", ".join(a.code for a in agencies) or (region or "province")
        if view_region:
            scope += f" (sees {view_region})"
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {username}: {role} of {scope}"))
