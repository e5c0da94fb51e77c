"""Rules' labels per language (issue 23): `label` is the Indonesian label, `label_en` the
English one. A default rule whose label was never edited gets both default labels; a label
edited by hand is the province's own and is kept as it is (in both fields, so the English
pages show what the province wrote until someone translates it)."""

from django.db import migrations, models

# code: (the label the default rule had until now, Indonesian, English)
LABELS = {
    "employee-reward": (
        "Penghargaan (reward): civil servant Sangat Baik for the year (PermenPAN-RB 6/2022 "
        "matrix); TPP increase proposal",
        "Penghargaan: ASN berpredikat Sangat Baik untuk tahun ini (matriks PermenPAN-RB "
        "6/2022); usulan kenaikan TPP",
        "Reward: civil servant Sangat Baik for the year (PermenPAN-RB 6/2022 matrix); TPP "
        "increase proposal",
    ),
    "employee-coaching": (
        "Pembinaan (coaching): civil servant Butuh Perbaikan or Kurang/Misconduct for the year",
        "Pembinaan: ASN berpredikat Butuh Perbaikan atau Kurang/Misconduct untuk tahun ini",
        "Coaching: civil servant Butuh Perbaikan or Kurang/Misconduct for the year",
    ),
    "employee-penalty": (
        "TPP reduction proposal: civil servant Sangat Kurang for the year",
        "Usulan pengurangan TPP: ASN berpredikat Sangat Kurang untuk tahun ini",
        "TPP reduction proposal: civil servant Sangat Kurang for the year",
    ),
    "employee-penalty-escalated": (
        "Escalated penalty for the leader's review: civil servant Sangat Kurang two years "
        "running (administrative sanction)",
        "Sanksi untuk ditinjau pimpinan: ASN berpredikat Sangat Kurang dua tahun berturut-turut "
        "(sanksi administratif)",
        "Escalated penalty for the leader's review: civil servant Sangat Kurang two years "
        "running (administrative sanction)",
    ),
    "agency-award": (
        "Agency award: agency Istimewa for the year",
        "Penghargaan instansi: instansi berpredikat Istimewa untuk tahun ini",
        "Agency award: agency Istimewa for the year",
    ),
    "agency-review": (
        "Performance review with the leader: agency Kurang or Sangat Kurang for the year",
        "Evaluasi kinerja bersama pimpinan: instansi berpredikat Kurang atau Sangat Kurang "
        "untuk tahun ini",
        "Performance review with the leader: agency Kurang or Sangat Kurang for the year",
    ),
    "agency-early-warning": (
        "early warning",
        "Peringatan dini: nilai triwulan instansi di bawah 70",
        "Early warning: the agency's quarterly score below 70",
    ),
}


def split_labels(apps, schema_editor):
    Rule = apps.get_model("rewards", "Rule")
    for rule in Rule.objects.all():
        old, indonesian, english = LABELS.get(rule.code, (None, None, None))
        if rule.label == old:
            rule.label, rule.label_en = indonesian, english
        else:
            rule.label_en = rule.label
        rule.save(update_fields=["label", "label_en"])


def join_labels(apps, schema_editor):
    Rule = apps.get_model("rewards", "Rule")
    for rule in Rule.objects.all():
        old, indonesian, english = LABELS.get(rule.code, (None, None, None))
        if rule.label == indonesian and rule.label_en == english:
            rule.label = old
            rule.save(update_fields=["label"])


class Migration(migrations.Migration):
    dependencies = [
        ("rewards", "0005_objections_to_predikat"),
    ]

    operations = [
        migrations.AddField(
            model_name="rule",
            name="label_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="label (English)"),
        ),
        migrations.AlterField(
            model_name="rule",
            name="label",
            field=models.CharField(
                help_text="Shown on the Indonesian pages, and on English ones without an English label.",
                max_length=200,
                verbose_name="label (Bahasa Indonesia)",
            ),
        ),
        migrations.RunPython(split_labels, join_labels),
    ]
