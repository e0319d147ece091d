# The audit log now belongs to the audit app and quote reviews to surveys; their
# tables stay, so this only tells Django the dashboard no longer owns them.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0002_auditevent"),
        ("audit", "0001_initial"),
        ("surveys", "0006_quotereview"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEvent"), migrations.DeleteModel(name="QuoteReview")],
            database_operations=[],
        ),
    ]
