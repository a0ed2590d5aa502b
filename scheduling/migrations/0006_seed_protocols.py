"""The shipped protocols, each value with its source. A value with no source ships empty, and the protocol cannot be
used until an admin fills it in (``Protocol.missing_values``): the maximum dose and the observation time of every
protocol, and the pain protocol's dose and hours."""

from __future__ import annotations

from decimal import Decimal

from django.db import migrations

PHILLIPS_2019 = "Phillips JL, et al. Am J Psychiatry. 2019;176(5):401-409 (6 infusions over 2 weeks)"
FEDER_2021 = "Feder A, et al. Am J Psychiatry. 2021;178(2):193-202 (PTSD: 6 infusions over 2 weeks)"
ANAND_2023 = "Anand A, et al. N Engl J Med. 2023;388(25):2315-2325 (0.5 mg/kg twice a week for 3 weeks)"
RIVA_POSSE_2018 = "Riva-Posse P, et al. J Affect Disord. 2018;236:291-297 (0.5 mg/kg over 40 minutes)"
CLINIC = "The clinic's defaults in docs (induction within about 2-3 weeks, boosters every 2-6 weeks)"
MONITORING = "The clinic's monitoring default: vitals every 10 minutes during the infusion and every 15 after"
NO_SOURCE = "No source: the maximum dose and the observation time ship empty; an admin fills them in."

PROTOCOLS = [
    {
        "name": "Depression induction",
        "slug": "depression-induction",
        "kind": "induction",
        "indications": "depression",
        "planned_sessions": 6,
        "min_days_between": 1,
        "max_days_between": 7,
        "mg_per_kg": Decimal("0.50"),
        "infusion_minutes": 40,
        "vitals_interval_minutes": 10,
        "post_vitals_interval_minutes": 15,
        "sources": "\n".join(
            [
                f"Sessions (6, two or three a week, at most 7 days apart): {PHILLIPS_2019}; {ANAND_2023}; {CLINIC}.",
                f"Dose and minutes: {RIVA_POSSE_2018}.",
                f"Vitals: {MONITORING}.",
                NO_SOURCE,
            ]
        ),
    },
    {
        "name": "PTSD induction",
        "slug": "ptsd-induction",
        "kind": "induction",
        "indications": "ptsd",
        "planned_sessions": 6,
        "min_days_between": 1,
        "max_days_between": 7,
        "mg_per_kg": Decimal("0.50"),
        "infusion_minutes": 40,
        "vitals_interval_minutes": 10,
        "post_vitals_interval_minutes": 15,
        "sources": "\n".join(
            [
                f"Sessions (6 over 2 weeks): {FEDER_2021}; {CLINIC}.",
                f"Dose and minutes: {FEDER_2021}; {RIVA_POSSE_2018}.",
                f"Vitals: {MONITORING}.",
                NO_SOURCE,
            ]
        ),
    },
    {
        "name": "Maintenance booster",
        "slug": "maintenance-booster",
        "kind": "maintenance",
        "indications": "depression,ptsd",
        "planned_sessions": 1,
        "min_days_between": 14,
        "max_days_between": 42,
        "mg_per_kg": Decimal("0.50"),
        "infusion_minutes": 40,
        "vitals_interval_minutes": 10,
        "post_vitals_interval_minutes": 15,
        "sources": "\n".join(
            [
                f"Boosters every 2-6 weeks: {CLINIC}; weekly infusions kept the gain in {PHILLIPS_2019}.",
                f"Dose and minutes: {RIVA_POSSE_2018}.",
                f"Vitals: {MONITORING}.",
                NO_SOURCE,
            ]
        ),
    },
    {
        "name": "Chronic pain",
        "slug": "chronic-pain",
        "kind": "induction",
        "indications": "pain",
        "vitals_interval_minutes": 10,
        "post_vitals_interval_minutes": 15,
        "sources": "\n".join(
            [
                "Dose, minutes, sessions and spacing: no source. The ASRA/AAPM/ASA consensus (Cohen SP, et al. Reg "
                "Anesth Pain Med. 2018;43(5):521-546) finds the evidence differs by condition and dose, so the clinic "
                "sets them.",
                f"Vitals: {MONITORING}.",
                NO_SOURCE,
            ]
        ),
    },
]


def seed(apps, schema_editor):
    Protocol = apps.get_model("scheduling", "Protocol")
    for values in PROTOCOLS:
        Protocol.objects.get_or_create(slug=values["slug"], defaults=values)


def unseed(apps, schema_editor):
    Protocol = apps.get_model("scheduling", "Protocol")
    Protocol.objects.filter(slug__in=[p["slug"] for p in PROTOCOLS], courses__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0005_infusion_courses")]

    operations = [migrations.RunPython(seed, unseed)]
