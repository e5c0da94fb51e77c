from django.core.cache import cache
from django.http import HttpRequest

from agencies.models import SampleData

SAMPLE_DATA_KEY = "sample-data-present"


def portal(request: HttpRequest) -> dict:
    """`sample_data`: whether the database holds seed_demo data (every page says so)."""
    present = cache.get(SAMPLE_DATA_KEY)
    if present is None:
        present = SampleData.objects.exists()
        cache.set(SAMPLE_DATA_KEY, present, timeout=300)
    return {"sample_data": present}
