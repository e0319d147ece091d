# The web image: gunicorn serving Django, static files by whitenoise (no CDN).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# The PDF report: WeasyPrint lays text out with Pango (HarfBuzz's subsetter keeps
# the embedded fonts small and fast); DejaVu is the report's font. espeak-ng and lame
# make the easy-read form's spoken audio at build time (docs/audio.md).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core espeak-ng lame \
    && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build-only python manage.py build_audio \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput

RUN useradd --system --uid 10001 peersurvey
USER peersurvey
EXPOSE 8000
# Access log without addresses, times or collection URLs: see gunicorn.conf.py.
CMD ["gunicorn", "peersurvey.wsgi:application", "--config", "gunicorn.conf.py"]
