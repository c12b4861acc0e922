"""A request body larger than any upload is refused before it is read."""

import io

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.urls import reverse

pytestmark = pytest.mark.django_db


class UnreadableBody(io.RawIOBase):
    """A body that fails the test if anything reads it."""

    read_from = False

    def read(self, *args):
        UnreadableBody.read_from = True
        raise AssertionError("the body was read")

    readline = readinto = read


def _call(path: str, length: int):
    UnreadableBody.read_from = False
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "multipart/form-data; boundary=xyz",
        "CONTENT_LENGTH": str(length),
        "wsgi.input": UnreadableBody(),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    started = {}

    def start_response(status, headers, exc_info=None):
        started["status"], started["headers"] = status, dict(headers)

    body = b"".join(WSGIHandler()(environ, start_response))
    return started, body


def test_a_300_megabyte_body_is_refused_unread():
    started, body = _call(reverse("applicants:apply", args=[1]), 300 * 1024 * 1024)

    assert started["status"].startswith("413")
    assert body.decode() == "请求过大（300.0\xa0MB）。可上传的文件最大为5.0\xa0MB，请选择较小的文件。"
    assert UnreadableBody.read_from is False


def test_the_limit_is_the_largest_upload_and_a_margin(settings):
    assert settings.REQUEST_MAX_BYTES == 6 * 1024 * 1024
    started, _body = _call("/accounts/login/", settings.REQUEST_MAX_BYTES + 1)
    assert started["status"].startswith("413")


def test_a_body_within_the_limit_reaches_the_view(client, settings):
    # (A sheet just over the import's own limit still reaches its form: tests/positions.)
    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert response.status_code == 200
