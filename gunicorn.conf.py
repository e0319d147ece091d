# gunicorn settings for production (docker-compose and scripts use this file).
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# Threads: a request waiting on PostgreSQL (a commit) leaves the core to another,
# and a long CSV export streams on while the worker's main thread keeps telling
# the arbiter it is alive (a sync worker is killed after `timeout` mid-download).
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
control_socket_disable = True
# Error log: no time, no client address ("Invalid request from ip=..."), no link token, and
# a path's control characters escaped (the logger class below, peersurvey/gunicorn_logging.py).
errorlog = "-"
# Access log: no client address, no user agent, no time, no collection URLs or /healthz.
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "1") == "1" else None
logger_class = "peersurvey.gunicorn_logging.AnonymousAccessLogger"
access_log_format = '"%(m)s %(U)s" %(s)s %(B)s %(M)sms'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
