"""The production smoke test's driver (started by deploy/smoke/run), standard library only.

Subcommands:

``nginx-conf``   writes a main nginx.conf and deploy/nginx/jinseed.conf adapted by plain
                 substitution (ports, paths, the certificate): every replaced text must be
                 found, so a change to the site file that the test no longer covers fails.
``wait``         waits until ``/health/`` answers 200 through nginx.
``check``        walks the portal through nginx over HTTPS as people would.
``broker-down``  ``/health/`` must be red (503) once the broker is stopped.

Every failed step raises ``SmokeFailure`` with what was expected and what came back.
"""

import argparse
import hashlib
import hmac
import http.cookiejar
import io
import json
import os
import re
import ssl
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE_CONF = ROOT / "deploy" / "nginx" / "jinseed.conf"
#: Translated text of the site's footer: the home page came back in Chinese.
CHINESE_FOOTER = "本网站所有时间均为北京时间。"
RESUME_BYTES = 4 * 1024 * 1024


class SmokeFailure(AssertionError):
    pass


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def step(message: str) -> None:
    print(f"--- {message}", flush=True)


# --- nginx configuration ---------------------------------------------------------------------


def site_conf(*, https_port: int, http_port: int, upstream_port: int, var_dir: str, tls_dir: str, prefix: str) -> str:
    """deploy/nginx/jinseed.conf with only ports and paths replaced (loopback, no IPv6)."""
    text = SITE_CONF.read_text(encoding="utf-8")
    replacements = [
        ("    listen [::]:80;\n", ""),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("return 301 https://$host$request_uri;", f"return 301 https://$host:{https_port}$request_uri;"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};"),
        ("/etc/jinseed/tls/", f"{tls_dir}/"),
        ("root /var/lib/jinseed;", f"root {var_dir};"),
        ("/var/www/letsencrypt", f"{prefix}/acme"),
        ("/var/log/nginx/", f"{prefix}/"),
    ]
    for old, new in replacements:
        expect(old in text, f"deploy/nginx/jinseed.conf no longer contains {old!r}: update the smoke test")
        text = text.replace(old, new)
    return text


def main_conf(*, prefix: str) -> str:
    """A main configuration of the test's own: its own pid, logs and temporary files."""
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix}/temp/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix}/access.log;
    sendfile on;
{temp}
    include {prefix}/jinseed.conf;
}}
"""


def write_nginx_conf(args) -> None:
    prefix = Path(args.prefix)
    for sub in ("temp", "acme"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    (prefix / "jinseed.conf").write_text(
        site_conf(
            https_port=args.https_port,
            http_port=args.http_port,
            upstream_port=args.upstream_port,
            var_dir=args.var_dir,
            tls_dir=args.tls_dir,
            prefix=str(prefix),
        ),
        encoding="utf-8",
    )
    (prefix / "nginx.conf").write_text(main_conf(prefix=str(prefix)), encoding="utf-8")


# --- HTTP ---------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body)


class Browser:
    """One person's browser: cookies kept, redirects not followed, the self-signed certificate
    accepted (this test checks the portal, not the certificate chain)."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context),
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            _NoRedirect(),
        )

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base + path

    def request(self, method: str, path: str, *, data: bytes | None = None, headers: dict | None = None) -> Response:
        # The URL is the smoke test's own https://127.0.0.1 address, never user input.
        request = urllib.request.Request(self.url(path), data=data, method=method, headers=headers or {})  # noqa: S310
        try:
            with self.opener.open(request, timeout=60) as response:
                return Response(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.headers, error.read())

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, fields: dict, files: dict | None = None) -> Response:
        """POST a form as a browser does from the page at ``path`` (its CSRF token, its Referer)."""
        headers = {"Referer": self.url(path), "Origin": self.base}
        if files:
            boundary = uuid.uuid4().hex
            body = io.BytesIO()
            for name, value in fields.items():
                body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
                body.write(str(value).encode() + b"\r\n")
            for name, (filename, content, content_type) in files.items():
                body.write(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    f"Content-Type: {content_type}\r\n\r\n".encode()
                )
                body.write(content + b"\r\n")
            body.write(f"--{boundary}--\r\n".encode())
            data = body.getvalue()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        else:
            data = urllib.parse.urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.request("POST", path, data=data, headers=headers)


def form_value(html: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}"[^>]*?value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*?name="{re.escape(name)}"', html
    )
    expect(match is not None, f"no field {name!r} in the page")
    return match.group(1)


def totp(key_hex: str, at: float | None = None) -> str:
    """The current 6-digit code of an authenticator (RFC 6238: HMAC-SHA1, 30-second steps)."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def login(browser: Browser, username: str, password: str, *, totp_key: str | None = None) -> None:
    """Sign in through the login page, and with the second factor when the portal asks for it."""
    page = browser.get("/accounts/login/")
    expect(page.status == 200, f"login page: {page.status}")
    token = form_value(page.text, "csrfmiddlewaretoken")
    answer = browser.post_form(
        "/accounts/login/", {"csrfmiddlewaretoken": token, "username": username, "password": password}
    )
    expect(answer.status == 302, f"login of {username}: expected a redirect, got {answer.status}")
    expect("/accounts/login/" not in answer.headers.get("Location", ""), f"login of {username} refused")
    if totp_key is None:
        return
    # Staff pages ask for the second factor first: answer it once, as staff do.
    refused = browser.get("/office/exports/")
    expect(
        refused.status == 302 and "/accounts/second-factor/" in refused.headers.get("Location", ""),
        f"staff pages before the second factor: expected a redirect to it, got {refused.status}",
    )
    verify = "/accounts/second-factor/verify/"
    page = browser.get(verify)
    expect(page.status == 200, f"second factor page: {page.status}")
    answer = browser.post_form(
        verify, {"csrfmiddlewaretoken": form_value(page.text, "csrfmiddlewaretoken"), "code": totp(totp_key)}
    )
    expect(answer.status == 302, f"second factor of {username}: expected a redirect, got {answer.status}")
    expect("/accounts/second-factor/" not in answer.headers.get("Location", ""), f"code of {username} refused")
    page = browser.get("/office/exports/")
    expect(page.status == 200, f"staff pages after the second factor: {page.status}")


def pdf_of_size(size: int) -> bytes:
    """A valid one-page PDF of exactly ``size`` bytes (the rest is an unused data stream)."""

    def build(padding: int) -> bytes:
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
            b"<< /Length %d >>\nstream\n" % padding + b"0" * padding + b"\nendstream",
        ]
        out = io.BytesIO()
        out.write(b"%PDF-1.4\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(out.tell())
            out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
        xref = out.tell()
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
        for offset in offsets:
            out.write(b"%010d 00000 n \n" % offset)
        out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
        return out.getvalue()

    padding = size - len(build(0))
    for _ in range(3):  # the numbers written grow by a digit or two with the padding
        padding += size - len(build(padding))
    pdf = build(padding)
    expect(len(pdf) == size, f"could not build a PDF of {size} bytes")
    return pdf


# --- the walk-through ---------------------------------------------------------------------------


def health(browser: Browser) -> Response:
    return browser.get("/health/", headers={"Accept": "application/json"})


def wait_until_healthy(args) -> None:
    browser, deadline, last = Browser(args.base), time.monotonic() + args.timeout, "no answer"
    while time.monotonic() < deadline:
        try:
            answer = health(browser)
        except OSError as exc:  # nginx or gunicorn still starting
            last = repr(exc)
        else:
            if answer.status == 200:
                print(f"healthy: {answer.text}")
                return
            last = f"{answer.status} {answer.text[:300]}"
        time.sleep(1)
    raise SmokeFailure(f"/health/ did not turn green in {args.timeout} s: {last}")


def check_pages(browser: Browser, http_base: str) -> None:
    step("HTTP is redirected to HTTPS")
    answer = browser.get(http_base + "/posts/?x=1")
    expect(answer.status == 301, f"plain HTTP: expected 301, got {answer.status}")
    expect(answer.headers["Location"].startswith("https://"), f"redirect to {answer.headers['Location']}")

    step("the home page, in Chinese")
    home = browser.get("/")
    expect(home.status == 200, f"home page: {home.status} {home.text[:500]}")
    expect(CHINESE_FOOTER in home.text, "the home page is not in Chinese (translations not compiled?)")
    expect("Strict-Transport-Security" in home.headers, "no HSTS header on the home page")

    step("a static file with a hashed name, cached for a year")
    match = re.search(r'/static/[^"]+\.[0-9a-f]{12}\.css', home.text)
    expect(match is not None, "the home page links no hashed stylesheet (collectstatic with the manifest?)")
    css = browser.get(match.group(0))
    expect(css.status == 200, f"{match.group(0)}: {css.status}")
    cache = css.headers.get("Cache-Control", "")
    expect("max-age=31536000" in cache and "immutable" in cache, f"Cache-Control of a static file: {cache!r}")

    step("private files are never served by path")
    for path in ("/private/resumes/anything.pdf", "/media/private/jobs/export.xlsx", "/.env"):
        answer = browser.get(path)
        expect(answer.status == 403, f"{path}: expected 403, got {answer.status}")


def check_application(base: str, data: dict, private_root: Path) -> None:
    step("a student signs in and applies with a 4 MB PDF résumé")
    student = Browser(base)
    login(student, data["student"], data["password"])
    path = f"/posts/{data['post']}/apply/"
    page = student.get(path)
    expect(page.status == 200, f"{path}: {page.status}")
    rank = re.search(r'name="preference_rank"[^>]*>\s*<option value="(\d+)"', page.text) or re.search(
        r'<option value="(\d+)"', page.text
    )
    expect(rank is not None, "no preference to choose in the application form")
    resume = pdf_of_size(RESUME_BYTES)
    answer = student.post_form(
        path,
        {
            "csrfmiddlewaretoken": form_value(page.text, "csrfmiddlewaretoken"),
            "submit_token": form_value(page.text, "submit_token"),
            "preference_rank": rank.group(1),
            "statement": "我是金山人，想在家乡的机关锻炼，了解基层工作，毕业后回金山发展。",
        },
        files={"resume": ("简历.pdf", resume, "application/pdf")},
    )
    expect(answer.status == 302, f"application: expected a redirect, got {answer.status}: {answer.text[:2000]}")
    mine = student.get("/my/applications/")
    expect(mine.status == 200 and "综合办公室助理" in mine.text, "the application is not in the student's list")

    step("the résumé comes back through the portal, and by no path through nginx")
    link = re.search(r'href="(/applications/\d+/resume/)"', mine.text)
    expect(link is not None, "no résumé link in the student's list")
    download = student.get(link.group(1))
    expect(download.status == 200, f"{link.group(1)}: {download.status}")
    expect(download.body == resume, "the résumé downloaded is not the one uploaded")
    stranger = Browser(base).get(link.group(1))
    expect(stranger.status in (302, 403, 404) and stranger.body != resume, f"résumé to anyone: {stranger.status}")
    stored = [p.relative_to(private_root).as_posix() for p in Path(private_root).rglob("*") if p.is_file()]
    expect(len(stored) == 1 and stored[0].endswith(".pdf"), f"private files stored: {stored}")
    for path in (f"/private/{stored[0]}", f"/media/{stored[0]}", f"/{stored[0]}", f"/static/../private/{stored[0]}"):
        answer = student.get(path)
        expect(answer.status in (403, 404) and answer.body != resume, f"{path} answered {answer.status}")


def check_export(base: str, data: dict) -> None:
    step("staff start an export; the worker writes it; staff download it")
    staff = Browser(base)
    login(staff, data["staff"], data["password"], totp_key=data["staff_totp"])
    page = staff.get("/office/exports/")
    expect(page.status == 200, f"/office/exports/: {page.status}")
    answer = staff.post_form(
        "/office/exports/",
        {
            "csrfmiddlewaretoken": form_value(page.text, "csrfmiddlewaretoken"),
            "export_kind": "applicants",
            "applicants-file_format": "xlsx",
        },
    )
    expect(answer.status == 302, f"starting the export: expected a redirect, got {answer.status}: {answer.text[:2000]}")
    detail_path = answer.headers["Location"]
    deadline, link = time.monotonic() + 90, None
    while time.monotonic() < deadline:
        detail = staff.get(detail_path)
        expect(detail.status == 200, f"{detail_path}: {detail.status}")
        link = re.search(r'href="(/jobs/\d+/file/)"', detail.text)
        if link:
            break
        expect('class="alert alert-danger"' not in detail.text, f"the export job failed: {detail.text[-3000:]}")
        time.sleep(0.5)
    expect(link is not None, "the worker did not finish the export in 90 s (is it consuming the queue?)")
    sheet = staff.get(link.group(1))
    expect(sheet.status == 200, f"download: {sheet.status}")
    expect(".xlsx" in sheet.headers.get("Content-Disposition", ""), f"download: {sheet.headers!s}")
    with zipfile.ZipFile(io.BytesIO(sheet.body)) as workbook:
        text = "".join(workbook.read(n).decode() for n in workbook.namelist() if n.endswith(".xml"))
    expect("金山区冒烟测试局" in text, "the exported sheet lacks the student's application")


def check_health_green(base: str) -> None:
    step("/health/ is green, the worker included")
    answer = health(Browser(base))
    expect(answer.status == 200, f"/health/: {answer.status} {answer.text}")
    checks = answer.json()
    expect(any(name.startswith("CeleryWorker") for name in checks), f"no worker check: {checks}")
    expect(set(checks.values()) == {"OK"}, f"/health/: {checks}")


def run_check(args) -> None:
    data = json.loads(Path(args.data).read_text(encoding="utf-8"))
    check_pages(Browser(args.base), args.http_base)
    check_application(args.base, data, Path(args.private_root))
    check_export(args.base, data)
    check_health_green(args.base)


def run_broker_down(args) -> None:
    step("with the broker stopped, /health/ is red")
    answer = health(Browser(args.base))
    expect(answer.status == 503, f"/health/ with the broker down: expected 503, got {answer.status} {answer.text}")
    checks = answer.json()
    worker = next((value for name, value in checks.items() if name.startswith("CeleryWorker")), None)
    expect(worker is not None and worker.startswith("Unavailable"), f"/health/: {checks}")
    expect(checks["Database(alias='default')"] == "OK", f"/health/: {checks}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    conf = commands.add_parser("nginx-conf")
    conf.add_argument("--prefix", required=True)
    conf.add_argument("--https-port", type=int, required=True)
    conf.add_argument("--http-port", type=int, required=True)
    conf.add_argument("--upstream-port", type=int, required=True)
    conf.add_argument("--var-dir", required=True)
    conf.add_argument("--tls-dir", required=True)
    for name in ("wait", "check", "broker-down"):
        sub = commands.add_parser(name)
        sub.add_argument("--base", required=True)
        if name == "wait":
            sub.add_argument("--timeout", type=int, default=90)
        if name == "check":
            sub.add_argument("--http-base", required=True)
            sub.add_argument("--data", required=True)
            sub.add_argument("--private-root", required=True)
    args = parser.parse_args(argv)
    handlers = {
        "nginx-conf": write_nginx_conf,
        "wait": wait_until_healthy,
        "check": run_check,
        "broker-down": run_broker_down,
    }
    try:
        handlers[args.command](args)
    except SmokeFailure as failure:
        print(f"SMOKE TEST FAILED: {failure}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
