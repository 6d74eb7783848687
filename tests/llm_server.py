"""A protocol-faithful stand-in for an OpenAI-compatible chat server (llama.cpp's `llama-server`, vLLM, ...).

It is NOT a language model. It speaks the real wire protocol, `POST /v1/chat/completions` answered with a
`chat.completion` JSON object, or with `"stream": true` a `text/event-stream` of `chat.completion.chunk`
objects (`data: {...choices[0].delta.content...}`) ending in `data: [DONE]`, and it writes its reply by copying
a sentence out of the passages in the prompt it received, so its quotes are as real as a model's good ones.

The request's `model` field picks how it behaves (one server serves every test):
  quote           `The passages say so. [n] "<sentence>"`: the sentence of the prompt's passages sharing
                  most words with the question
  quote-after     the same sentence in curly quotes with the number after it: `“<sentence>” [n]`
  fabricate       one real quote plus one invented sentence attributed to passage 1 (must be dropped)
  fabricate-only  only the invented sentence (the answer must not be given)
  notfound        `NOT FOUND`
  garbage         200 with a body that is not JSON (streamed: a `data:` line that is not JSON)
  error           HTTP 500 with an OpenAI-style error object
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from service_support import serve_in_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

FABRICATED = "Bananas are the only hardware that keeps secrets from the cloud."
_PASSAGE = re.compile(r"^\[(\d+)\] from [^\n]*:\n(.*?)(?=\n\n\[\d+\] from |\n\nQuestion: )", re.S | re.M)
_SENTENCE = re.compile(r"[^.!?]+[.!?]?")


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{3,}", text.lower())}


def passages_in(prompt: str) -> tuple[dict[int, str], str]:
    """The numbered passages and the question, read back from the user message."""
    passages = {int(n): text for n, text in _PASSAGE.findall(prompt)}
    question = prompt.rsplit("\nQuestion: ", 1)[-1].strip()
    return passages, question


def best_sentence(prompt: str) -> tuple[int, str]:
    """(passage number, sentence) sharing the most words with the question: a verbatim quote."""
    passages, question = passages_in(prompt)
    wanted = _words(question)
    scored = [(len(wanted & _words(s)), -n, n, s.strip()) for n, text in passages.items()
              for s in _SENTENCE.findall(text) if len(s.split()) >= 4 and '"' not in s]  # quotable whole
    _, _, n, sentence = max(scored)
    return n, sentence


def reply_for(mode: str, prompt: str) -> str:
    if mode == "notfound":
        return "NOT FOUND"
    if mode == "fabricate-only":
        return f'The passages say so. [1] "{FABRICATED}"'
    n, sentence = best_sentence(prompt)
    if mode == "quote-after":
        return f"The passages say so: “{sentence}” [{n}]."
    if mode == "fabricate":
        return f'The passages say so. [{n}] "{sentence}" Also, [1] "{FABRICATED}"'
    return f'The passages say so. [{n}] "{sentence}"'


@dataclass
class ChatServer:
    url: str  # the base URL, as PODQUERY_LLM_URL takes it: http://127.0.0.1:PORT/v1
    requests: list[dict] = field(default_factory=list)
    chunk_delay: float = 0.0  # seconds between streamed chunks, so tests can see the stream is incremental


def _app(state: ChatServer) -> Starlette:
    async def completions(request: Request) -> Response:
        body = await request.json()
        state.requests.append(body)
        mode = body.get("model", "quote")
        if mode == "error":
            return JSONResponse({"error": {"message": "model crashed", "type": "server_error"}}, status_code=500)
        if mode == "garbage" and not body.get("stream"):
            return PlainTextResponse("<html>502 Bad Gateway</html>")
        prompt = body["messages"][-1]["content"]
        reply = reply_for(mode, prompt)
        made, ident = int(time.time()), f"chatcmpl-test{len(state.requests)}"
        if not body.get("stream"):
            return JSONResponse({
                "id": ident, "object": "chat.completion", "created": made, "model": mode,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": reply},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": len(reply.split()),
                          "total_tokens": len(prompt.split()) + len(reply.split())}})

        def chunk(delta: dict, finish: str | None = None) -> str:
            data = {"id": ident, "object": "chat.completion.chunk", "created": made, "model": mode,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            return f"data: {json.dumps(data)}\n\n"

        async def events() -> AsyncIterator[str]:
            yield chunk({"role": "assistant", "content": ""})
            if mode == "garbage":
                yield "data: {this is not json\n\n"
                return
            for piece in re.findall(r"\S+\s*", reply):  # word by word, as a model's tokens roughly come
                await asyncio.sleep(state.chunk_delay)
                yield chunk({"content": piece})
            yield chunk({}, "stop")
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])


@contextmanager
def chat_server(chunk_delay: float = 0.0) -> Iterator[ChatServer]:
    """The stand-in server on a free port of 127.0.0.1, in a thread of this process."""
    state = ChatServer("", chunk_delay=chunk_delay)
    with serve_in_thread(_app(state)) as url:
        state.url = f"{url}/v1"
        yield state
