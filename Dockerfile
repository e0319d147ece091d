# The web image: gunicorn serving Django, static files by whitenoise (no CDN).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput

RUN useradd --system --uid 10001 peersurvey
USER peersurvey
EXPOSE 8000
# Access log without addresses, times or collection URLs: see gunicorn.conf.py.
CMD ["gunicorn", "peersurvey.wsgi:application", "--config", "gunicorn.conf.py"]
