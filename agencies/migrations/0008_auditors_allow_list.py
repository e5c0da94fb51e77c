"""The "Auditors" group held every view permission, among them the one of django-otp's
devices, whose admin showed each staff member's TOTP key (issue 16, finding 1). An existing
group is cut down to the allow-list of that day (agencies.access.AUDITOR_MODELS, copied here
so that this migration never changes); `create_user --role auditor` keeps it so."""

from django.db import migrations
from django.db.models import Q

AUDITOR_MODELS = (
    "agencies.agency",
    "agencies.auditevent",
    "agencies.membership",
    "agencies.region",
    "agencies.sampledata",
    "agencies.service",
    "agencies.servicemetric",
    "agencies.surveyrefusal",
    "agencies.surveyresponse",
    "auth.group",
    "auth.user",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "performance.employee",
    "performance.indicator",
    "performance.performancecontract",
    "performance.personaldataaccess",
    "performance.realisation",
    "performance.score",
    "performance.scorerun",
    "performance.scoringscheme",
    "performance.target",
    "portal.nightlyrun",
    "rewards.decision",
    "rewards.objection",
    "rewards.rule",
)


def allow_list_only(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Auditors").first()
    if group is None:  # a new database: create_user makes the group from the allow-list
        return
    condition = Q(pk__in=[])
    for label in AUDITOR_MODELS:
        app_label, model = label.split(".")
        condition |= Q(
            content_type__app_label=app_label,
            content_type__model=model,
            codename=f"view_{model}",
        )
    group.permissions.set(Permission.objects.filter(condition))


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0007_survey_refusal_replayed"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(allow_list_only, migrations.RunPython.noop)]
