from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from clinic.models import Patient, User

PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    user = factory.SubFactory(UserFactory)
    legal_first_name = factory.Faker("first_name")
    legal_last_name = factory.Faker("last_name")
    date_of_birth = dt.date(1985, 6, 1)
    sex_at_birth = Patient.SexAtBirth.FEMALE
    phone = factory.Sequence(lambda n: f"+1617555{n % 10000:04d}")
    time_zone = "America/New_York"


class StaffFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


def give_backup_code(user: User, code: str = "backup01") -> str:
    device, _ = StaticDevice.objects.get_or_create(user=user, name="backup", defaults={"confirmed": True})
    StaticToken.objects.create(device=device, token=code)
    return code


def verify_second_factor(client: Client, user: User) -> None:
    code = give_backup_code(user, code=f"code{user.pk:04d}")
    response = client.post(reverse("clinic:two-factor"), {"token": code})
    assert response.status_code == 302, "second factor was not accepted"
