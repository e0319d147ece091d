from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0013_translations"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="bsl",
            field=models.CharField(blank=True, max_length=200, verbose_name="BSL video"),
        ),
        migrations.AddField(
            model_name="question",
            name="bsl_captions",
            field=models.JSONField(blank=True, default=dict, verbose_name="BSL captions"),
        ),
    ]
