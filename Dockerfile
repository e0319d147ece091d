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

# The runtime dependencies, exactly as locked, each download checked against its hash
# (requirements/runtime.txt; docs/dependencies.md). The code runs from /app as copied
# below, so the project itself is not installed: one copy of it, not two.
COPY requirements/runtime.txt requirements/
RUN pip install --no-cache-dir --require-hashes -r requirements/runtime.txt
COPY . .
RUN SECRET_KEY=build-only python manage.py build_audio \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput

RUN useradd --system --uid 10001 peersurvey
USER peersurvey
EXPOSE 8000
# GET /healthz answers 200 while the database does (peersurvey/health.py; docs/operations.md).
# The slim image has no curl, hence Python.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys,urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"]
# Access log without addresses, times or collection URLs: see gunicorn.conf.py.
CMD ["gunicorn", "peersurvey.wsgi:application", "--config", "gunicorn.conf.py"]
