# Names for the admin in the page's language (English or Welsh): labels only, no change to the tables.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0004_report_texts_and_actions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="lead",
            options={"verbose_name": "lead", "verbose_name_plural": "leads"},
        ),
        migrations.AlterField(
            model_name="lead",
            name="can_review_quotes",
            field=models.BooleanField(
                default=False,
                help_text="May approve free-text answers before other leads see them.",
                verbose_name="can review quotes",
            ),
        ),
        migrations.AlterField(
            model_name="lead",
            name="role",
            field=models.CharField(
                choices=[
                    ("partnership_lead", "Partnership lead (every service)"),
                    ("service_lead", "Service lead (their services and national figures)"),
                ],
                max_length=20,
                verbose_name="role",
            ),
        ),
        migrations.AlterField(
            model_name="lead",
            name="safeguarding_reviewer",
            field=models.BooleanField(
                default=False,
                help_text="Named safeguarding reviewer: sees texts flagged as disclosing harm and records what was done.",
                verbose_name="safeguarding reviewer",
            ),
        ),
        migrations.AlterField(
            model_name="lead",
            name="services",
            field=models.ManyToManyField(blank=True, related_name="leads", to="surveys.service", verbose_name="services"),
        ),
        migrations.AlterField(
            model_name="lead",
            name="user",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="lead",
                to=settings.AUTH_USER_MODEL,
                verbose_name="user",
            ),
        ),
    ]
