"""Agency rules that name a predikat name the organisation scale of PermenPAN-RB 6/2022:
the agencies' Sangat Baik is Istimewa (the same threshold, the band renamed). Employee rules
keep the SKP score bands (Sangat Baik ...) until civil servants are rated by the 6/2022
matrix."""

from django.db import migrations

OLD_LABEL = "Agency award: agency Sangat Baik for the year"
NEW_LABEL = "Agency award: agency Istimewa for the year"


def rename(apps, old: str, new: str, old_label: str, new_label: str) -> None:
    Rule = apps.get_model("rewards", "Rule")
    for rule in Rule.objects.filter(level="agency", condition="predikat_in"):
        values = rule.predikats if isinstance(rule.predikats, list) else []
        if old not in values:
            continue
        rule.predikats = [new if v == old else v for v in values]
        if rule.label == old_label:  # the default label, never edited
            rule.label = new_label
        rule.save(update_fields=["predikats", "label"])


def forwards(apps, schema_editor):
    rename(apps, "Sangat Baik", "Istimewa", OLD_LABEL, NEW_LABEL)


def backwards(apps, schema_editor):
    rename(apps, "Istimewa", "Sangat Baik", NEW_LABEL, OLD_LABEL)


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0009_scoring_contract_v2"),
        ("rewards", "0003_rules_engine_objections"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
