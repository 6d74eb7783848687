"""schemathesis over the whole OpenAPI schema against a real `python -m service` (uvicorn, as people run it), with
every check on: once without the API key (writes are refused), once with it (writes really run, on a copy of the
index). Zero failures: every answer matches its documented status, headers and body, schema-valid requests are
accepted, schema-violating ones refused, and nothing is a 500.

`PODQUERY_SCHEMATHESIS_EXAMPLES` (default 50: about 2,000 cases in all, a minute on 2 cores) bounds the examples
per operation and generation phase; the cases that ran are counted, printed (`pytest -s`) and recorded as the
`schemathesis_cases` property (junit XML).

The schema is built in-process for collection (schemathesis parametrizes at import) and checked to be the one
each server serves. `schemathesis.pytest.from_fixture` would load it from the server, but it breaks on pytest 9.2
(it sets the removed `Node._nodeid`).
"""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from service_support import LiveServer, start_server

from service import ServiceConfig, create_app

API_KEY = "schemathesis-key"
EXAMPLES = int(os.environ.get("PODQUERY_SCHEMATHESIS_EXAMPLES", "50"))
SPEC = create_app(ServiceConfig()).openapi()
OPERATIONS = [f"{method.upper()} {path}" for path, item in SPEC["paths"].items() for method in item]
schema = schemathesis.openapi.from_dict(SPEC, config=schemathesis.Config.from_dict(
    {"generation": {"max-examples": EXAMPLES}}))
RAN: dict[str, Counter[str]] = {"without the key": Counter(), "with the key": Counter()}
ANSWERED: Counter[tuple[str, int]] = Counter()  # (operation, status) with the key: the writes that really ran
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _in_order(filters: Any) -> Any:
    """Filters with `after` and `before` swapped when both are days in the wrong order: the API refuses an empty
    range (a 422, as documented), a rule between two fields that JSON Schema cannot state for the generator."""
    if not isinstance(filters, dict):
        return filters
    after, before = filters.get("after"), filters.get("before")
    if isinstance(after, str) and isinstance(before, str) and _DAY.fullmatch(after) and _DAY.fullmatch(before) \
            and after > before:
        return {**filters, "after": before, "before": after}
    return filters


@schema.hook("map_query")
def _ordered_query(context: Any, query: Any) -> Any:
    return _in_order(query)


@schema.hook("map_body")
def _ordered_body(context: Any, body: Any) -> Any:
    if isinstance(body, dict) and "filters" in body:
        return {**body, "filters": _in_order(body["filters"])}
    return body


@pytest.fixture(scope="module")
def anonymous(service_index, tmp_path_factory) -> Iterator[LiveServer]:
    """The shared test index, served without an API key: writes answer 403."""
    folder = tmp_path_factory.mktemp("schemathesis-anonymous")
    server = start_server(service_index, folder / "server.log")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def keyed(service_index, tmp_path_factory) -> Iterator[LiveServer]:
    """A copy of the index served with an API key and no write limit: POST and DELETE change it."""
    folder = tmp_path_factory.mktemp("schemathesis-keyed")
    shutil.copytree(service_index, folder / "index")
    server = start_server(folder / "index", folder / "server.log",
                          extra_env={"PODQUERY_API_KEY": API_KEY, "PODQUERY_WRITE_RATE_LIMIT": "off"})
    try:
        yield server
    finally:
        server.stop()


def _serves_this_schema(server: LiveServer) -> None:
    assert httpx.get(f"{server.url}/openapi.json", timeout=10).json() == SPEC


@schema.parametrize()
def test_every_operation_without_the_key(case, anonymous: LiveServer) -> None:
    if not RAN["without the key"]:
        _serves_this_schema(anonymous)
    RAN["without the key"][case.operation.label] += 1
    case.call_and_validate(base_url=anonymous.url, timeout=60)


@schema.parametrize()
def test_every_operation_with_the_key(case, keyed: LiveServer) -> None:
    if not RAN["with the key"]:
        _serves_this_schema(keyed)
    RAN["with the key"][case.operation.label] += 1
    response = case.call_and_validate(base_url=keyed.url, headers={"X-API-Key": API_KEY}, timeout=60)
    ANSWERED[case.operation.label, response.status_code] += 1


def test_each_operation_ran_and_the_written_index_still_answers(keyed: LiveServer, record_property) -> None:
    """Runs after the two above (file order): every operation got cases both ways, and the index that took
    schemathesis's writes is still healthy and searchable."""
    if not any(RAN.values()):
        pytest.skip("counts only what the two schemathesis tests above ran in this session")
    total = {way: sum(counts.values()) for way, counts in RAN.items()}
    written = ANSWERED["POST /episodes", 201]
    print(f"\nschemathesis: {total} cases over {len(OPERATIONS)} operations, {EXAMPLES} examples per phase; "
          f"{written} episodes written")
    record_property("schemathesis_cases", total)
    assert written > 0  # with the key, schema-valid records were really indexed
    for way, counts in RAN.items():
        assert set(counts) == set(OPERATIONS), (way, counts)
        assert all(n >= 3 for n in counts.values()), (way, counts)
    with httpx.Client(base_url=keyed.url, timeout=30) as client:
        assert client.get("/health").status_code == 200
        search = client.get("/search", params={"q": "secure enclaves", "k": 3})
        assert search.status_code == 200 and search.json()["hits"], search.text
