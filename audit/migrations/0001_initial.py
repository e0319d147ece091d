# The audit log moves from the dashboard app into its own; the table stays where
# it is (dashboard_auditevent), so only Django's idea of which app owns it changes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("dashboard", "0002_auditevent"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("username", models.CharField(max_length=150)),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("dashboard_view", "Dashboard page"),
                                    ("data_json", "data.json"),
                                    ("charts_json", "charts.json"),
                                    ("report_view", "Printable report"),
                                    ("export_aggregate", "Aggregate CSV export"),
                                    ("export_responses", "Response CSV export"),
                                    ("quotes_view", "Approved quotes"),
                                    ("review_queue", "Quotes awaiting review"),
                                    ("quote_review", "Quote decision"),
                                    ("paper_entry", "Paper entry"),
                                    ("purge", "Responses purged"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "selection",
                            models.JSONField(blank=True, default=dict, help_text="The filters asked for, or what was acted on."),
                        ),
                        (
                            "status",
                            models.PositiveSmallIntegerField(
                                help_text="The HTTP status of the outcome: 200, 302, 400, 403, 404."
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "dashboard_auditevent",
                        "ordering": ["-at", "-id"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    (
                                        "action__in",
                                        [
                                            "dashboard_view",
                                            "data_json",
                                            "charts_json",
                                            "report_view",
                                            "export_aggregate",
                                            "export_responses",
                                            "quotes_view",
                                            "review_queue",
                                            "quote_review",
                                            "paper_entry",
                                            "purge",
                                        ],
                                    )
                                ),
                                name="audit_action_valid",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
