from django.db import migrations

FOUNDING = [
    ("dod", "Department of Defense", "DoD"),
    ("treasury", "Department of the Treasury", "Treasury"),
    ("cisa", "Cybersecurity and Infrastructure Security Agency", "CISA"),
]


def create_agencies(apps, schema_editor):
    Agency = apps.get_model("agencies", "Agency")
    Group = apps.get_model("auth", "Group")
    for code, name, short_name in FOUNDING:
        if Agency.objects.filter(code=code).exists():
            continue
        group, _ = Group.objects.get_or_create(name=f"agency:{code}")
        Agency.objects.create(code=code, name=name, short_name=short_name, group=group)


class Migration(migrations.Migration):
    dependencies = [("agencies", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_agencies, migrations.RunPython.noop)]
