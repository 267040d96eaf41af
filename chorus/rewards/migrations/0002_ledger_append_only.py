"""Make the ledger append-only in the database itself, not only in Python."""

from django.db import migrations

from chorus.rewards import ledger_triggers


def forwards(apps, schema_editor):
    ledger_triggers.create(schema_editor.connection)


def backwards(apps, schema_editor):
    ledger_triggers.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("rewards", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
