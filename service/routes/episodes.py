"""Browsing the index: `GET /episodes` (paged), `GET /episodes/{id}` (one episode), `GET /podcasts`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from indexer.timecode import audio_link, format_timestamp

from ..deps import IndexDep
from ..schemas.common import RATE_LIMITED, UNAVAILABLE, ErrorOut
from ..schemas.episodes import (
    ChapterOut,
    EpisodeDetail,
    EpisodeList,
    EpisodeListParams,
    EpisodeSummary,
    PodcastList,
    PodcastOut,
)

router = APIRouter(tags=["episodes"], responses=RATE_LIMITED)  # every route here is rate limited


@router.get("/episodes", summary="List episodes, newest first", responses=UNAVAILABLE)
def list_episodes(params: Annotated[EpisodeListParams, Query()], index: IndexDep) -> EpisodeList:
    """A page of episodes (optionally of one podcast) and the total, for paging with `limit` and `offset`."""
    rows, total = index.list_episodes(params.podcast, params.limit, params.offset)
    episodes = [
        EpisodeSummary(id=r.id, podcast=r.podcast, title=r.title, published=r.published, duration_s=r.duration_s,
                       duration=format_timestamp(r.duration_s), url=r.url, audio_url=r.audio_url,
                       passages=r.passages, chapters=r.chapters)
        for r in rows
    ]
    return EpisodeList(total=total, limit=params.limit, offset=params.offset, episodes=episodes)


# `:path` because ids fall back to feed guids, which are often URLs with slashes in them
@router.get(
    "/episodes/{episode_id:path}",
    summary="One episode: metadata, chapters with links that play from them, highlights, topics",
    responses={404: {"model": ErrorOut, "description": "No episode with this id"}, **UNAVAILABLE},
)
def get_episode(episode_id: Annotated[str, Path(description="The episode id, as in a hit's episode.id")],
                index: IndexDep) -> EpisodeDetail:
    """The episode's metadata; each chapter carries a readable start and `audio_url#t=N`. 404 when unknown."""
    episode = index.episode(episode_id)  # NotFound -> 404
    chapters = [
        ChapterOut(index=c.index, title=c.title, start_s=c.start_s, end_s=c.end_s,
                   timestamp=format_timestamp(c.start_s), link=audio_link(episode.audio_url, c.start_s),
                   description=c.description)
        for c in episode.chapters
    ]
    return EpisodeDetail(
        id=episode.id, podcast=episode.podcast, title=episode.title, published=episode.published,
        duration_s=episode.duration_s, duration=format_timestamp(episode.duration_s), url=episode.url,
        audio_url=episode.audio_url, summary=episode.summary, topics=episode.topics,
        highlights=episode.highlights, people=episode.people, chapters=chapters,
    )


@router.get("/podcasts", summary="Every podcast in the index with its episode count", responses=UNAVAILABLE)
def list_podcasts(index: IndexDep) -> PodcastList:
    """Podcasts by name: what the search page's podcast filter offers."""
    return PodcastList(podcasts=[PodcastOut(name=p.name, episodes=p.episodes, latest=p.latest)
                                 for p in index.list_podcasts()])
