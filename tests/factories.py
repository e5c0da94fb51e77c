"""factory_boy factories for the domain models. NIPs are valid and unique."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies.models import Agency, Region, Service, ServiceMetric, SurveyResponse
from performance.models import (
    Employee,
    Indicator,
    PerformanceContract,
    Realisation,
    ScoringScheme,
    StaffRating,
    Target,
)


def make_nip(n: int) -> str:
    """A valid NIP, different for every n: born 1970-1999, appointed 2000-2019."""
    born = datetime.date(1970, 1, 1) + datetime.timedelta(days=(n * 37) % 10950)
    appointed = f"{2000 + n % 20}{1 + n % 12:02d}"
    return f"{born:%Y%m%d}{appointed}{1 + n % 2}{n % 1000:03d}"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = "52"
    name = "Provinsi Nusa Tenggara Barat"
    kind = Region.Kind.PROVINCE


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"AG{n:03d}")
    slug = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Sequence(lambda n: f"Dinas Contoh {n}")
    acronym = factory.Sequence(lambda n: f"DC{n}")
    region = factory.SubFactory(RegionFactory)
    sector = "Kesehatan"


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    agency = factory.SubFactory(AgencyFactory)
    code = factory.Sequence(lambda n: f"SV{n}")
    name = factory.Sequence(lambda n: f"Layanan {n}")
    standard_days = 5
    fee = Decimal("0")


class ServiceMetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceMetric

    service = factory.SubFactory(ServiceFactory)
    year = 2025
    quarter = 1
    kind = ServiceMetric.Kind.APPLICATIONS
    value = Decimal("100")


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyResponse

    service = factory.SubFactory(ServiceFactory)
    year = 2025
    quarter = 1
    u1 = u2 = u3 = u4 = u5 = u6 = u7 = u8 = u9 = 3


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    nip = factory.Sequence(make_nip)
    name = factory.Sequence(lambda n: f"Pegawai {n}")
    position = "Analis"
    agency = factory.SubFactory(AgencyFactory)


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoringScheme
        django_get_or_create = ["year"]

    year = 2025


class ContractFactory(factory.django.DjangoModelFactory):
    """An approved agency contract (PK); pass `employee=` for an SKP."""

    class Meta:
        model = PerformanceContract

    year = 2025
    agency = factory.SubFactory(AgencyFactory)
    employee = None
    status = PerformanceContract.Status.APPROVED


class StaffRatingFactory(factory.django.DjangoModelFactory):
    """A civil servant's ratings of a closed year (pass `contract=` their SKP)."""

    class Meta:
        model = StaffRating

    results = "as_expected"
    behaviour = "as_expected"
    rated_at = factory.LazyFunction(timezone.now)
    changed_at = factory.LazyFunction(timezone.now)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    contract = factory.SubFactory(ContractFactory)
    code = factory.Sequence(lambda n: f"IKU{n}")
    text = factory.Sequence(lambda n: f"Indikator {n}")
    unit = "%"
    direction = "higher"
    weight = Decimal("1")


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    indicator = factory.SubFactory(IndicatorFactory)
    quarter = 1
    value = Decimal("100")


class RealisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Realisation

    indicator = factory.SubFactory(IndicatorFactory)
    quarter = 1
    value = Decimal("100")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct-horse-battery-9")
