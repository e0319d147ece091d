# Quote reviews move beside the TextAnswer they govern; the table stays where it
# is (dashboard_quotereview), so only Django's idea of which app owns it changes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0005_tally_read_path"),
        ("dashboard", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="QuoteReview",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        (
                            "status",
                            models.CharField(choices=[("approved", "Approved"), ("rejected", "Not shown")], max_length=10),
                        ),
                        ("text", models.TextField()),
                        ("attribution", models.CharField(max_length=120)),
                        ("reviewed_on", models.DateField()),
                        (
                            "answer",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE, related_name="review", to="surveys.textanswer"
                            ),
                        ),
                        (
                            "reviewed_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "dashboard_quotereview",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("status__in", ["approved", "rejected"])), name="quote_status_valid"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
