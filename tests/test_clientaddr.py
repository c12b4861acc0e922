"""The client's address: the peer's, unless the peer is a trusted proxy."""

import pytest

from jinseed.clientaddr import client_address


@pytest.fixture
def proxies(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "fd00::/8", "192.0.2.10"]


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        # No proxy in between: the peer is the client, whatever the header says.
        ("203.0.113.9", "", "203.0.113.9"),
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),
        # Through the trusted proxy: the address it appended.
        ("10.0.0.2", "198.51.100.7", "198.51.100.7"),
        # A client that forged the header: the proxy's own entry, right-most, wins.
        ("10.0.0.2", "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        # Two trusted hops (a load balancer, then nginx), one named by address, one by network.
        ("10.0.0.2", "198.51.100.7, 192.0.2.10", "198.51.100.7"),
        ("fd00::5", "2001:db8::1", "2001:db8::1"),
        ("10.0.0.2", "::ffff:198.51.100.7", "198.51.100.7"),
        ("10.0.0.2", "198.51.100.7:51234", "198.51.100.7"),
        ("10.0.0.2", "[2001:db8::1]:443", "2001:db8::1"),
        # The proxy sent no header, or garbage: the last address known for sure.
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "unknown", "10.0.0.2"),
        ("10.0.0.2", "198.51.100.7, garbage, 10.0.0.3", "10.0.0.3"),
        # Everyone on the way is trusted: the left-most of them.
        ("10.0.0.2", "10.0.0.8, 10.0.0.3", "10.0.0.8"),
    ],
)
def test_client_address_reads_the_header_only_from_trusted_proxies(rf, proxies, peer, forwarded, client):
    request = rf.get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == client


def test_client_address_ignores_the_header_when_no_proxy_is_trusted(rf, settings):
    settings.TRUSTED_PROXIES = []
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_address(request) == "10.0.0.2"


def test_client_address_is_none_without_a_peer(rf, proxies):
    request = rf.get("/", REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_address(request) is None
