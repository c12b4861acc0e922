"""Gunicorn settings for the portal behind nginx (docs/operations.md).

Started by deploy/systemd/jinseed-web.service as
``gunicorn -c deploy/gunicorn.conf.py jinseed.wsgi:application``. Every value can be changed
from the environment file (/etc/jinseed/jinseed.env) without editing this file.
"""

import os
import sys
from pathlib import Path

# The portal's folder, wherever gunicorn is started from: the application and the log
# configuration below are imported from it.
chdir = str(Path(__file__).resolve().parent.parent)
sys.path.insert(0, chdir)

from jinseed.logconfig import GUNICORN_ACCESS_LOG_FORMAT, gunicorn_logconfig_dict  # noqa: E402

# Only nginx talks to gunicorn: loopback, or a unix socket (GUNICORN_BIND=unix:/run/jinseed/web.sock).
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]

# A 2-core server: 3 processes of 4 threads each, chosen by ``manage.py bench_apply``
# (docs/performance.md, "Deadline-day submissions"): two sync processes served half as many
# submissions and, past capacity, spent their time on requests nobody waited for any more.
# A request waits on PostgreSQL for part of its time, so threads keep both cores busy; a
# third process runs while one holds the interpreter. Each process draws its database
# connections from a pool (DATABASE_POOL, DATABASE_POOL_MAX_SIZE at least the threads).
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Connections accepted but not yet taken by a process; nginx bounds the requests in flight
# itself (limit_conn in deploy/nginx/jinseed.conf), so this queue stays short.
backlog = int(os.environ.get("GUNICORN_BACKLOG", "64"))

# A request that has not answered in 60 s is stuck (large exports run in the Celery worker):
# its process is restarted. On stop or reload, requests in flight get 30 s to finish.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# nginx reuses its connections to gunicorn (upstream keepalive); gunicorn keeps an idle one
# 5 s, longer than nginx's 4 s, so nginx never sends on a connection gunicorn just closed.
keepalive = 5

# Each process is replaced after about ten thousand requests (with jitter, so that they do not
# all restart at once): a slow leak never grows into an outage. Not much sooner: a new
# process spends about 2 s of a core loading the portal while the others carry its share,
# and at deadline-day rates (50 requests a second per process) a thousand requests meant a
# restart every 20 s, which cost a sixth of the capacity (docs/performance.md).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "1000"))

# X-Forwarded-Proto (and the scheme it sets) is believed only from the proxy in front: the
# same addresses as the portal's TRUSTED_PROXIES, nginx on this host by default.
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "127.0.0.1,::1")

# The heartbeat files live in memory: /tmp may be a slow or private disk under systemd.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - gunicorn's documented choice for its heartbeat files

# Access log on standard output, errors on standard error, both collected by journald in the
# portal's own line format at LOG_LEVEL (docs/settings.md, "Logs and error reports"): the
# client address nginx forwarded, the duration and the request id are on every access line.
accesslog = "-"
errorlog = "-"
logconfig_dict = gunicorn_logconfig_dict()
access_log_format = GUNICORN_ACCESS_LOG_FORMAT
proc_name = "jinseed-web"
# systemd reloads and stops gunicorn with signals; no control socket in the service's home.
control_socket_disable = True
