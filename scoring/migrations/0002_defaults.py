from django.db import migrations

# PRODUCT.md, "Bridge criteria": the five defaults, equally weighted to start with.
CRITERIA = [
    (
        "Developer-led adoption",
        "Serves developer-led adoption: the free plan, product-led growth and product-led sales.",
    ),
    (
        "Enterprise IT can approve it",
        "Can be approved by enterprise IT: control, audit, compliance.",
    ),
    ("Spans client and platform", "Spans the client and the cloud platform."),
    (
        "Ships without a client upgrade",
        "Ships without waiting for a client upgrade (server-side or behind a flag).",
    ),
    ("Reduces tech debt", "Reduces tech debt or improves client stability."),
]


def seed(apps, schema_editor):
    BridgeCriterion = apps.get_model("scoring", "BridgeCriterion")
    ScoringPolicy = apps.get_model("scoring", "ScoringPolicy")
    for name, description in CRITERIA:
        BridgeCriterion.objects.get_or_create(
            name=name, defaults={"description": description, "weight": 10, "active": True}
        )
    if not ScoringPolicy.objects.exists():
        ScoringPolicy.objects.create(version=1, note="Default policy: strict SRPF order.")


def unseed(apps, schema_editor):
    apps.get_model("scoring", "BridgeCriterion").objects.filter(
        name__in=[name for name, _ in CRITERIA]
    ).delete()
    apps.get_model("scoring", "ScoringPolicy").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
