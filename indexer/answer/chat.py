"""A minimal client for an OpenAI-compatible chat endpoint (llama.cpp's server, vLLM, Ollama, ...).

HTTP is the standard library's urllib (one POST to `{base}/chat/completions`, plain JSON or `"stream": true`
server-sent events), so the optional feature adds no dependency.
"""

from __future__ import annotations

import http.client
import json
import urllib.request
from collections.abc import Iterator
from typing import Any

from indexer.errors import PodqueryError

# what a failing endpoint raises: refused or timed out (OSError, urllib's URLError), a bad status
# (HTTPError), a broken reply (HTTPException), or a body that is not the protocol's JSON
FAILURES = (OSError, http.client.HTTPException, ValueError, KeyError, IndexError, TypeError, AttributeError)


class LLMError(PodqueryError):
    """The chat endpoint did not give a usable reply; the answerer falls back instead of failing."""


class ChatClient:
    """POST {base}/chat/completions with urllib; `timeout` bounds the connection and each read."""

    def __init__(self, base_url: str, model: str = "local", timeout: float = 60.0, max_tokens: int = 300) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise PodqueryError(f"the LLM URL must start with http:// or https://, got {base_url!r}")
        self.endpoint = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.timeout = timeout
        self.max_tokens = max_tokens

    def _open(self, messages: list[dict[str, str]], stream: bool) -> http.client.HTTPResponse:
        body = {"model": self.model, "messages": messages, "temperature": 0, "max_tokens": self.max_tokens,
                "stream": stream}
        request = urllib.request.Request(
            self.endpoint, data=json.dumps(body).encode("utf-8"), method="POST",
            headers={"Content-Type": "application/json",
                     "Accept": "text/event-stream" if stream else "application/json"})
        return urllib.request.urlopen(request, timeout=self.timeout)  # the scheme is checked in __init__

    def complete(self, messages: list[dict[str, str]]) -> str:
        """The whole reply at once."""
        try:
            with self._open(messages, stream=False) as response:
                data: Any = json.loads(response.read().decode("utf-8"))
            return str(data["choices"][0]["message"]["content"] or "")
        except FAILURES as exc:
            raise LLMError(f"{self.endpoint}: {type(exc).__name__}: {exc}") from exc

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        """The reply in pieces as the model writes it: `data: {...}` lines until `data: [DONE]`."""
        try:
            with self._open(messages, stream=True) as response:
                for raw in response:
                    line = raw.decode("utf-8").strip()
                    if not line.startswith("data:"):
                        continue  # blank separators, `event:` or `: keep-alive` comments
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        return
                    chunk: Any = json.loads(payload)
                    if chunk.get("error"):
                        raise ValueError(f"the server sent an error: {chunk['error']}")
                    if not chunk.get("choices"):
                        continue  # e.g. a final usage-only chunk
                    piece = (chunk["choices"][0].get("delta") or {}).get("content")
                    if piece:
                        yield str(piece)
        except FAILURES as exc:
            raise LLMError(f"{self.endpoint}: {type(exc).__name__}: {exc}") from exc
