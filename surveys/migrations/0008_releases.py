"""Answers are released to the figures in batches (surveys/releases.py).

Each response gains a random record key (the cell-key method's), each tally
row the sum of its respondents' keys; day tallies go (windows are whole months
of release), and so does the rate-limit table, whose windows were times of day.
Responses stored before this are released by the post-migrate hook
(surveys.apps), in the order they came, and the tallies recounted then.
"""

import django.db.models.deletion
from django.db import migrations, models

import surveys.models

COVERING = (
    "ALTER TABLE surveys_tally DROP CONSTRAINT tally_key_unique, "
    "ADD CONSTRAINT tally_key_unique UNIQUE (period, among, service_id, start, kind, ref) INCLUDE (n, k)"
)


def draw_record_keys(apps, schema_editor):
    Response = apps.get_model("surveys", "Response")
    for pk in Response.objects.values_list("pk", flat=True).iterator():
        Response.objects.filter(pk=pk).update(rkey=surveys.models.new_record_key())


def cover_the_key_sum(apps, schema_editor):
    # The dashboard sums n and k: both in the index, so the read never visits the table.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COVERING)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0007_response_paper_replay"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="rkey",
            field=models.PositiveIntegerField(default=surveys.models.new_record_key, editable=False),
        ),
        # The default above is drawn once for every existing row: draw one each.
        migrations.RunPython(draw_record_keys, migrations.RunPython.noop),
        migrations.RunSQL("DELETE FROM surveys_tally", migrations.RunSQL.noop),
        migrations.AddField(
            model_name="tally",
            name="k",
            field=models.BigIntegerField(default=0, help_text="The sum of the respondents' record keys (the cell key)."),
        ),
        migrations.AlterField(
            model_name="tally",
            name="period",
            field=models.CharField(
                choices=[("m", "Released in a month, in a service"), ("p", "Pooled remainder, national only")], max_length=1
            ),
        ),
        migrations.CreateModel(
            name="Release",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("among", models.PositiveIntegerField(default=0, help_text="0 for everyone, or the about-you Option id.")),
                ("released_on", models.DateField(blank=True, null=True)),
                ("pooled", models.BooleanField(default=False, help_text="A remainder counted in the national figures only.")),
                (
                    "questionnaire",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="surveys.questionnaire"),
                ),
                (
                    "response",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="releases", to="surveys.response"
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="surveys.service"),
                ),
            ],
        ),
        migrations.DeleteModel(
            name="LinkRate",
        ),
        migrations.AddIndex(
            model_name="release",
            index=models.Index(fields=["service", "questionnaire", "among", "released_on"], name="release_unit"),
        ),
        migrations.AddConstraint(
            model_name="release",
            constraint=models.UniqueConstraint(fields=("response", "among"), name="release_response_among_unique"),
        ),
        migrations.AlterField(
            model_name="tally",
            name="start",
            field=models.DateField(help_text="The first day of the month of release."),
        ),
        migrations.AddIndex(
            model_name="release",
            index=models.Index(fields=["among", "released_on"], name="release_latest"),
        ),
        migrations.AddIndex(
            model_name="release",
            index=models.Index(fields=["service", "among", "released_on"], name="release_latest_service"),
        ),
        migrations.RunPython(cover_the_key_sum, migrations.RunPython.noop),
        # The database cache (rate limits, login throttling) kept expiry times: it is
        # not used any more, and no time of day may stay in the database.
        migrations.RunSQL("DROP TABLE IF EXISTS peersurvey_cache", migrations.RunSQL.noop),
    ]
