"""A request's Host header is the client's: one no URL can be built for
(a DNS label over 63 characters, an empty label, characters no host has)
is answered 400, never a 500 from the error page that cannot build its links."""

from __future__ import annotations

import pytest

from ckanext.datathon import host_guard

HOSTILE = [
    "a" * 64 + ".example.org",
    "portal..example.org",
    "portal.example.org:notaport",
    "exa mple.org",
    "x" * 300,
]


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("host", HOSTILE)
@pytest.mark.parametrize("path", ["/", "/challenge", "/api/3/action/status_show", "/dataset/"])
def test_hostile_host_is_a_bad_request(app, host, path):
    response = app.get(path, headers={"Host": host}, status=None)
    assert response.status_code == 400, (host, path, response.status_code)


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize(
    "host", ["localhost", "127.0.0.1:5000", "[::1]:5000", "portal.example.org"]
)
def test_ordinary_hosts_are_served(app, host):
    assert (
        app.get("/api/3/action/status_show", headers={"Host": host}, status=None).status_code == 200
    )


@pytest.mark.parametrize(
    ("host", "valid"),
    [
        ("portal.example.org", True),
        ("portal.example.org.", True),
        ("ckan_web:5000", True),
        ("10.0.0.1:80", True),
        ("[2001:db8::1]:443", True),
        ("[::1]", True),
        ("-bad.example.org", False),
        ("a" * 64, False),
        (".".join(["a" * 60] * 5), False),  # over 253 in all
        ("host:123456", False),
        ("[::1", False),
        ("héte.example.org", False),
        ("", False),
    ],
)
def test_valid_host(host, valid):
    assert host_guard.valid_host(host) is valid
