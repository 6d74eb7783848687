"""X-Forwarded-For cannot buy a client a fresh rate-limit budget: a real `python -m service` (uvicorn, as people
run it) honours the header only from the proxies in `PODQUERY_TRUSTED_PROXIES`, and from none by default."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from service_support import start_server

from indexer.errors import PodqueryError
from service.config import ServiceConfig

WRITE_LIMIT = 5
DELETES = 30
SETTINGS = {"PODQUERY_API_KEY": "the-right-key", "PODQUERY_WRITE_RATE_LIMIT": f"{WRITE_LIMIT}/minute"}


@contextmanager
def served(service_index: Path, folder: Path, **env: str) -> Iterator[httpx.Client]:
    """A server over a private copy of the index (writes are on), with `env` added; yields a client of it."""
    shutil.copytree(service_index, folder / "index")
    server = start_server(folder / "index", folder / "server.log", extra_env={**SETTINGS, **env})
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            yield client
    finally:
        server.stop()


def wrong_key_deletes(client: httpx.Client, forwarded_for: list[str]) -> list[int]:
    """The status of a DELETE with a wrong key per forwarded address, in order."""
    return [client.delete("/episodes/enclave", headers={"X-API-Key": "a guess", "X-Forwarded-For": address})
            .status_code for address in forwarded_for]


def rotating(n: int) -> list[str]:
    return [f"203.0.113.{i + 1}" for i in range(n)]


def test_forwarded_for_is_ignored_without_trusted_proxies(service_index, tmp_path):
    with served(service_index, tmp_path, PODQUERY_TRUSTED_PROXIES="") as client:  # as unset, whatever the env
        statuses = wrong_key_deletes(client, rotating(DELETES))
    assert statuses[:WRITE_LIMIT] == [403] * WRITE_LIMIT
    assert statuses[WRITE_LIMIT:] == [429] * (DELETES - WRITE_LIMIT)
    log = (tmp_path / "server.log").read_text(encoding="utf-8")  # the access log names the real peer
    assert '127.0.0.1:' in log and "DELETE /episodes/enclave" in log and "203.0.113." not in log


def test_forwarded_for_is_honoured_from_a_trusted_proxy(service_index, tmp_path):
    with served(service_index, tmp_path, PODQUERY_TRUSTED_PROXIES="127.0.0.1") as client:
        apart = wrong_key_deletes(client, rotating(DELETES))  # each forwarded address counted on its own
        one = wrong_key_deletes(client, ["198.51.100.7"] * (WRITE_LIMIT + 2))  # one address still hits its limit
    assert apart == [403] * DELETES
    assert one == [403] * WRITE_LIMIT + [429, 429]


@pytest.mark.parametrize(("text", "expected"), [
    ("", ()), (" 127.0.0.1 , ::1,", ("127.0.0.1", "::1")), ("10.1.2.3/8", ("10.0.0.0/8",)),
    ("fd00::/8", ("fd00::/8",)),
])
def test_trusted_proxies_setting(text: str, expected: tuple[str, ...]):
    assert ServiceConfig.from_env({"PODQUERY_TRUSTED_PROXIES": text}).trusted_proxies == expected


@pytest.mark.parametrize("text", ["localhost", "*", "10.0.0.0/33", "127.0.0.1;10.0.0.1"])
def test_trusted_proxies_must_be_addresses_or_networks(text: str):
    with pytest.raises(PodqueryError, match="PODQUERY_TRUSTED_PROXIES"):
        ServiceConfig.from_env({"PODQUERY_TRUSTED_PROXIES": text})
