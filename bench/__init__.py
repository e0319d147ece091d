"""The benchmark behind `make bench`: synthetic data in PostgreSQL, gunicorn, a table.

Run with `python -m bench.run` (see bench/run.py). The views in bench/views.py
exist only under the bench settings, never in production's URL configuration.
"""
