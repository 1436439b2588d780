from django.db import migrations

# The policy: POC internal, Alpha opted-in, Beta 25 %, GA (and shipped) everyone.
POLICY = {
    "not_started": ("off", 0),
    "in_development": ("off", 0),
    "poc": ("internal", 0),
    "alpha": ("opted_in", 0),
    "beta": ("percentage", 25),
    "ga": ("everyone", 100),
    "shipped": ("everyone", 100),
}


def seed(apps, schema_editor):
    StagePolicy = apps.get_model("rollout", "StagePolicy")
    for stage, (state, percentage) in POLICY.items():
        StagePolicy.objects.get_or_create(
            stage=stage, defaults={"state": state, "percentage": percentage}
        )
    apps.get_model("rollout", "Revision").objects.get_or_create(pk=1, defaults={"token": "initial"})


class Migration(migrations.Migration):
    dependencies = [("rollout", "0001_flags_policy_keys_adoption")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
