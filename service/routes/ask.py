"""`POST /ask`: an answer quoted from the episodes, each citation verified and timestamped.

The answerer is extractive, or a chat model when `PODQUERY_LLM_URL` is set (indexer/llm.py); either way the
citations are checked against the stored passages, and a model that fails gives way to the extractive answer
with a warning rather than an error.

`POST /ask?stream=true` answers with server-sent events instead of one JSON body, so a page can show a model's
words as it writes them:

    event: token            (only with a model; zero or more, in order)
    data: {"text": "Secure enclaves"}

    event: answer           (always, exactly one, last): the same JSON as the plain response
    data: {"question": ..., "found": true, "answer": ..., "citations": [...], ...}

    event: error            (instead of `answer`, only if something unexpected broke mid-stream)
    data: {"detail": "..."}

Token text is the model's raw reply; the `answer` event is the checked result and replaces it. Validation errors
(422) and a missing index (503) come before the stream starts, as ordinary JSON errors.
Sync routes on purpose: retrieval, embedding and the model's HTTP call block, so they run in the threadpool.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from indexer.answer.extractive import ExtractiveAnswerer
from indexer.answer.generative import LLMAnswerer, answerer_for
from indexer.errors import QueryError
from indexer.search.filters import Filters
from indexer.search.query import check_query

from ..deps import SearcherDep
from ..errors import INTERNAL_ERROR
from ..jsonbody import JSONRoute
from ..schemas.ask import STREAM_DOC, AnswerOut, AskRequest
from ..schemas.common import RATE_LIMITED, UNAVAILABLE, ErrorOut

log = logging.getLogger(__name__)
# every route here is rate limited; bodies are read by jsonbody (refusals in the client's terms)
router = APIRouter(tags=["answers"], responses=RATE_LIMITED, route_class=JSONRoute)
Answerer = ExtractiveAnswerer | LLMAnswerer


async def get_answerer(searcher: SearcherDep, request: Request) -> Answerer:
    """An answerer over the current index generation; cheap to make, so one per request follows live updates.
    Its generation is leased (SearcherDep) until the response, a stream included, has been sent."""
    settings = request.app.state.config.settings
    return answerer_for(searcher, settings.llm_url, settings.llm_model, settings.llm_timeout)


AnswererDep = Annotated[Answerer, Depends(get_answerer)]


def sse(event: str, data: object) -> str:
    """One server-sent event; the data is JSON, so newlines in a model's words cannot break the framing."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _events(answerer: Answerer, question: str, k: int, filters: Filters) -> Iterator[str]:
    try:
        if isinstance(answerer, LLMAnswerer):
            events = answerer.ask_stream(question, k=k, filters=filters)
        else:
            events = iter([("answer", answerer.ask(question, k=k, filters=filters))])
        for kind, value in events:
            if kind == "token":
                yield sse("token", {"text": value})
            else:
                yield sse("answer", AnswerOut.model_validate(value).model_dump(mode="json"))
    except QueryError as exc:
        yield sse("error", {"detail": str(exc)})
    except Exception:  # the status line has gone out: say so in the stream, keep the trace in the log
        log.exception("error while streaming an answer")
        yield sse("error", {"detail": INTERNAL_ERROR})


@router.post(
    "/ask",
    response_model=AnswerOut,
    summary="Answer a question with verbatim, timestamped citations",
    responses={200: {"content": STREAM_DOC, "description": "The answer (JSON; server-sent events with stream)"},
               422: {"model": ErrorOut, "description": "The question or a filter is missing or out of range"},
               **UNAVAILABLE},
)
def ask(body: AskRequest, answerer: AnswererDep,
        stream: Annotated[bool, Query(description="Answer as server-sent events: `token`s, then the `answer`.")]
        = False) -> AnswerOut | StreamingResponse:
    """The answer and its citations (each plays from the quote's second), or "Not found in these episodes."
    with the closest passages. An answer is only given when at least one quote was verified."""
    question = check_query(body.question, body.k, "hybrid")  # a QueryError is a 422 before any stream starts
    filters = body.filters.to_filters()
    if stream:
        return StreamingResponse(_events(answerer, question, body.k, filters), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    return AnswerOut.model_validate(answerer.ask(question, k=body.k, filters=filters))
