"""The methodology page explains civil servants' ratings, the predikat matrix and the
expected distribution of an agency's staff (issue 20), from the scheme in force, in Bahasa
Indonesia (the default) and in English."""

import re

import pytest
from django.urls import reverse

from performance.models import ScoringScheme

pytestmark = pytest.mark.django_db


def section(html: str) -> str:
    return html.split('id="staff-predikat-heading"')[1].split("</section>")[0]


def test_the_matrix_and_the_distribution_in_english(client):
    client.cookies["lang"] = "en"
    html = section(client.get(reverse("methodology")).content.decode())
    assert "The predikat matrix" in html
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    # One row per results rating (above, as expected, below), its cells by behaviour rating.
    assert [re.findall(r"predikat--([a-z-]+)", r) for r in rows] == [
        ["sangat-baik", "baik", "kurang"],
        ["baik", "baik", "kurang"],
        ["butuh-perbaikan", "butuh-perbaikan", "sangat-kurang"],
    ]
    assert "above expectation" in rows[0] and "below expectation" in rows[2]
    assert html.count("Kurang/Misconduct") == 2  # the two cells of behaviour below
    assert "at most 70% Sangat Baik" in html  # Istimewa
    assert "at most 70% Baik; some Butuh Perbaikan or Kurang" in html  # Baik
    assert "at least 60% Sangat Kurang; at least 10% Kurang or Butuh Perbaikan" in html
    assert "above expectation from 110.00, below expectation under 90.00" in html
    assert "Berorientasi Pelayanan" in html and "Kolaboratif" in html


def test_the_same_in_bahasa_indonesia(client):
    html = section(client.get(reverse("methodology")).content.decode())
    assert "Matriks predikat" in html
    assert "di atas ekspektasi" in html and "sesuai ekspektasi" in html
    assert "paling banyak 70% Sangat Baik" in html
    assert "ada yang Butuh Perbaikan atau Kurang" in html
    assert "di atas ekspektasi mulai 110,00" in html


def test_it_follows_the_scheme_in_force(client):
    ScoringScheme.objects.create(
        year=2025,
        rating_above_from=105,
        distribution=[{"organisation": "Baik", "staff": ["Baik"], "bound": "max", "percent": 65}],
    )
    client.cookies["lang"] = "en"
    html = section(client.get(reverse("methodology")).content.decode())
    assert "above expectation from 105.00" in html
    assert "at most 65% Baik" in html
    assert "at most 70% Sangat Baik" not in html  # the edited pattern has no such rule
