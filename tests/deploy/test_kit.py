"""The deploy kit (deploy/, .env.example) is checked by the tools that will read it: nginx,
gunicorn and systemd parse what we ship, and the environment file names every setting."""

import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from jinseed.logconfig import GUNICORN_ACCESS_LOG_FORMAT

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = ("jinseed-web.service", "jinseed-worker.service", "jinseed-beat.service")
MB = 1024 * 1024


def _names_read(path: Path) -> set[str]:
    """Names read with ``env("X")``, ``env.str("X")``, ``env.list("X")``... and helpers named ``_env_*("X")``."""
    pattern = r"\b_?env(?:\.\w+|_\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\""
    return set(re.findall(pattern, path.read_text(encoding="utf-8")))


def test_env_example_lists_every_setting_the_portal_reads():
    listed = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), flags=re.M))
    read = _names_read(ROOT / "jinseed" / "settings.py") | _names_read(ROOT / "jinseed" / "storage.py")
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"} <= read
    assert sorted(read - listed) == []


def test_env_example_marks_the_production_keys_required():
    text = (ROOT / ".env.example").read_text()
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "ID_NUMBER_HASH_KEY", "CERTIFICATE_SIGNING_KEY", "DATABASE_URL"):
        block = text.split(f"\n{name}=")[0].rsplit("\n\n", 1)[-1]
        assert "[required]" in block, name
    assert re.search(r"^DEBUG=false$", text, flags=re.M)


def test_env_example_reads_the_same_in_a_shell_as_under_systemd():
    """deploy/bin/manage sources the file in bash; a quote or a space out of place would give the
    shell and systemd's EnvironmentFile= different values."""
    result = subprocess.run(
        ["bash", "-c", 'set -a; . ./.env.example; set +a; printf "%s\\n" "$DEFAULT_FROM_EMAIL" "$DEBUG" "$SITE_URL"'],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "金种子培育计划 <noreply@jinseed.example.cn>",
        "false",
        "https://jinseed.example.cn",
    ]


# --- gunicorn --------------------------------------------------------------------------------


def _gunicorn_conf(monkeypatch, **environ) -> dict:
    for name in ("GUNICORN_BIND", "GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_BACKLOG", "TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))


def test_gunicorn_conf_defaults_suit_two_cores_behind_local_nginx(monkeypatch):
    conf = _gunicorn_conf(monkeypatch)
    assert conf["bind"] == ["127.0.0.1:8000"]
    assert (conf["worker_class"], conf["workers"], conf["threads"]) == ("gthread", 3, 4)
    assert conf["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert (conf["timeout"], conf["graceful_timeout"], conf["keepalive"]) == (60, 30, 5)
    assert conf["backlog"] == 64
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (10000, 1000)
    assert (conf["accesslog"], conf["errorlog"]) == ("-", "-")
    assert conf["access_log_format"] == GUNICORN_ACCESS_LOG_FORMAT
    assert conf["logconfig_dict"]["loggers"]["gunicorn.access"]["handlers"] == ["access_console"]
    assert conf["chdir"] == str(ROOT)


def test_gunicorn_conf_reads_the_environment(monkeypatch):
    conf = _gunicorn_conf(
        monkeypatch,
        GUNICORN_BIND="unix:/run/jinseed/web.sock",
        GUNICORN_WORKERS="5",
        GUNICORN_THREADS="2",
        GUNICORN_BACKLOG="256",
        TRUSTED_PROXIES="10.0.0.2",
    )
    assert (conf["bind"], conf["workers"], conf["threads"]) == (["unix:/run/jinseed/web.sock"], 5, 2)
    assert conf["backlog"] == 256
    assert conf["forwarded_allow_ips"] == "10.0.0.2"


def test_gunicorn_accepts_the_conf_and_loads_the_portal():
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(
        [str(gunicorn), "--check-config", "-c", str(DEPLOY / "gunicorn.conf.py"), "jinseed.wsgi:application"],
        cwd="/",  # as systemd may start it: the configuration finds the portal by itself
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "true", "HOME": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr


# --- nginx -----------------------------------------------------------------------------------


def _site() -> str:
    return (DEPLOY / "nginx" / "jinseed.conf").read_text()


def test_nginx_body_limit_covers_the_largest_upload_and_little_more():
    size = int(re.search(r"client_max_body_size (\d+)m;", _site()).group(1)) * MB
    largest = max(settings.RESUME_MAX_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE, settings.POST_IMPORT_MAX_BYTES)
    assert largest + MB // 2 <= size <= largest + 2 * MB


def test_nginx_stamps_the_queue_start_and_bounds_the_requests_in_flight():
    site = _site()
    assert 'proxy_set_header X-Request-Start "t=${msec}";' in site
    in_flight = int(re.search(r"limit_conn jinseed_inflight (\d+);", site).group(1))
    conf = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert in_flight > conf["workers"] * conf["threads"]
    assert "limit_conn_status 503;" in site
    assert "error_page 503 /static/busy.html;" in site
    assert (ROOT / "static" / "busy.html").read_text().count("系统繁忙") == 2


def test_nginx_never_points_at_private_files_and_refuses_their_paths():
    site = _site()
    directives = "\n".join(line.split("#", 1)[0] for line in site.splitlines())
    assert "private" not in re.sub(r"location \^~ /private/", "", directives)
    assert "alias" not in directives
    assert re.search(r"location \^~ /private/ \{\s*deny all;\s*\}", site)
    assert re.search(r"location \^~ /media/ \{\s*deny all;\s*\}", site)
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in site


@pytest.mark.skipif(not shutil.which("nginx") or not shutil.which("openssl"), reason="nginx and openssl not installed")
def test_nginx_accepts_the_site_adapted_as_the_smoke_test_does(tmp_path):
    prefix, tls = tmp_path / "nginx", tmp_path / "tls"
    tls.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(tls / "privkey.pem"), "-out", str(tls / "fullchain.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    subprocess.run(
        [sys.executable, str(DEPLOY / "smoke" / "smoke.py"), "nginx-conf", "--prefix", str(prefix),
         "--https-port", "8443", "--http-port", "8080", "--upstream-port", "8000",
         "--var-dir", str(tmp_path / "var"), "--tls-dir", str(tls)],
        check=True, timeout=60,
    )  # fmt: skip
    result = subprocess.run(
        ["nginx", "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_the_smoke_test_refuses_a_site_it_no_longer_covers(tmp_path, monkeypatch):
    smoke = runpy.run_path(str(DEPLOY / "smoke" / "smoke.py"))
    changed = tmp_path / "jinseed.conf"
    changed.write_text(_site().replace("server 127.0.0.1:8000;", "server unix:/run/jinseed/web.sock;"))
    smoke["site_conf"].__globals__["SITE_CONF"] = changed
    with pytest.raises(AssertionError, match=re.escape("no longer contains 'server 127.0.0.1:8000;'")):
        smoke["site_conf"](https_port=1, http_port=2, upstream_port=3, var_dir="/v", tls_dir="/t", prefix="/p")


# --- systemd ---------------------------------------------------------------------------------


def _unit(name: str) -> str:
    return (DEPLOY / "systemd" / name).read_text()


@pytest.mark.parametrize("name", UNITS)
def test_systemd_unit_runs_as_the_service_user_with_hardening(name):
    lines = set(_unit(name).splitlines())
    assert {
        "User=jinseed",
        "Group=jinseed",
        "EnvironmentFile=/etc/jinseed/jinseed.env",
        "Restart=on-failure",
        "NoNewPrivileges=true",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/jinseed",
        "PrivateTmp=true",
    } <= lines


def test_systemd_worker_consumes_every_queue_the_portal_routes_to():
    queues = re.search(r"--queues (\S+)", _unit("jinseed-worker.service")).group(1).split(",")
    assert queues == ["celery", "jobs"]
    declared = {queue.name for queue in settings.CELERY_TASK_QUEUES}
    assert declared <= set(queues)


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_accepts_the_units(tmp_path):
    env_file = tmp_path / "jinseed.env"
    env_file.write_text("DEBUG=false\n")
    venv = Path(sys.executable).parent.parent
    for name in UNITS:
        text = _unit(name).replace("/srv/jinseed/.venv", str(venv)).replace("/etc/jinseed/jinseed.env", str(env_file))
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / name) for name in UNITS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode, result.stderr) == (0, "")
