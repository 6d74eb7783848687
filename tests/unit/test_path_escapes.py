"""Paths a user's files name may not lead out of the folder they are relative to (issue 14, defect 5).

A media map entry, a file guessed in the media folder, and a record's `transcript`/`chapters` field: each is
resolved with symlinks followed and refused, with an InputError naming the entry or field, when it ends up outside
the media folder (or the corpus folder the record was found under), or when it is written as an absolute path.
Outside the folder is a "secret" file in the test's own tmp dir, standing for /etc/passwd.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.errors import InputError
from indexer.ingest.corpus import collect_sources
from indexer.ingest.feeds import load_feed, resolve_feed_item
from indexer.ingest.formats.rss import FeedItem, parse_feed

VTT = "WEBVTT\n\n00:00.000 --> 00:04.000\nSecret words.\n"
SAFE_VTT = "WEBVTT\n\n00:00.000 --> 00:04.000\nPublic words.\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the media/corpus folder holding a transcript nobody meant to index."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "passwd.vtt").write_text(VTT)
    return folder


def _feed_item(guid: str, url: str = "https://h.example/a.vtt") -> FeedItem:
    rss = (f'<?xml version="1.0"?><rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0">'
           f'<channel><title>F</title><item><title>Ep</title><guid>{guid}</guid>'
           f'<podcast:transcript url="{url}" type="text/vtt"/></item></channel></rss>')
    return parse_feed(rss.encode()).items[0]


# --- media folders --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["transcript", "chapters"])
def test_media_map_path_through_a_symlinked_folder_is_refused(tmp_path: Path, outside: Path, field: str) -> None:
    media = tmp_path / "media"
    media.mkdir()
    (media / "etc").symlink_to(outside, target_is_directory=True)  # media/etc -> outside, like m/etc -> /etc
    (media / "media-map.json").write_text(json.dumps({"guid:g": {field: "etc/passwd.vtt"}}))
    with pytest.raises(InputError, match="leads outside the media folder") as err:
        resolve_feed_item(_feed_item("g"), media)
    assert err.value.source == str(media / "media-map.json") and err.value.where == f"guid:g: {field}"
    feed = tmp_path / "feed.xml"
    feed.write_bytes(_rss_bytes("g"))
    [error] = load_feed(feed, media)
    assert isinstance(error, InputError) and "leads outside" in error.problem


@pytest.mark.parametrize("rel", ["../outside/passwd.vtt", "sub/../../outside/passwd.vtt"])
def test_media_map_dot_dot_is_refused(tmp_path: Path, outside: Path, rel: str) -> None:
    media = tmp_path / "media"
    (media / "sub").mkdir(parents=True)
    (media / "media-map.json").write_text(json.dumps({"https://h.example/a.vtt": rel}))
    with pytest.raises(InputError, match="leads outside the media folder") as err:
        resolve_feed_item(_feed_item("g"), media)
    assert err.value.where == "https://h.example/a.vtt: transcript"


def test_media_map_absolute_path_is_refused_even_inside_the_folder(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    (media / "a.vtt").write_text(SAFE_VTT)
    (media / "media-map.json").write_text(json.dumps({"guid:g": str(media / "a.vtt")}))
    with pytest.raises(InputError, match="is absolute") as err:
        resolve_feed_item(_feed_item("g"), media)
    assert err.value.where == "guid:g: transcript"


def test_guessed_file_that_is_a_symlink_out_is_not_read(tmp_path: Path, outside: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    (media / "g").symlink_to(outside, target_is_directory=True)  # DIR/<guid>/N, the folder rule
    (outside / "a.vtt").write_text(VTT)
    source = resolve_feed_item(_feed_item("g"), media)
    assert source.transcript is None
    refused = [w for w in source.warnings if "leads outside the media folder" in w]
    assert len(refused) == 1 and "transcript not found" in source.warnings[-1]


def test_symlinks_that_stay_inside_the_media_folder_still_work(tmp_path: Path) -> None:
    media = tmp_path / "media"
    (media / "store").mkdir(parents=True)
    (media / "store" / "real.vtt").write_text(SAFE_VTT)
    (media / "a.vtt").symlink_to(media / "store" / "real.vtt")
    (media / "media-map.json").write_text(json.dumps({"guid:m": "store/../store/real.vtt"}))
    assert resolve_feed_item(_feed_item("g"), media).transcript is not None
    assert resolve_feed_item(_feed_item("m", "https://h.example/none.vtt"), media).transcript is not None


def _rss_bytes(guid: str) -> bytes:
    return (f'<rss version="2.0"><channel><title>F</title><item><guid>{guid}</guid></item></channel></rss>').encode()


# --- corpus records -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["transcript", "chapters"])
def test_record_absolute_path_is_refused(tmp_path: Path, outside: Path, field: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ep.json").write_text(json.dumps({"title": "Ep", field: str(outside / "passwd.vtt")}))
    (corpus / "other.json").write_text(json.dumps({"title": "Other"}))
    result = collect_sources([corpus])
    assert [s.episode.id for s in result.episodes] == ["other"]
    [err] = result.errors
    assert err.source == str(corpus / "ep.json") and err.where == f"field {field}"
    assert "is absolute" in err.problem and field in err.problem


@pytest.mark.parametrize("rel", ["../outside/passwd.vtt", "link/passwd.vtt"])
def test_record_path_leading_out_of_the_corpus_folder_is_refused(tmp_path: Path, outside: Path, rel: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "link").symlink_to(outside, target_is_directory=True)
    lines = [json.dumps({"id": "one", "title": "One", "transcript": rel}), json.dumps({"id": "two", "title": "T"})]
    (corpus / "eps.jsonl").write_text("\n".join(lines))
    for paths in ([corpus], [corpus / "eps.jsonl"]):  # a folder argument, and the record file named alone
        result = collect_sources(paths)
        assert [s.episode.id for s in result.episodes] == ["two"]
        [err] = result.errors
        assert err.source == str(corpus / "eps.jsonl") and err.where == "line 1: field transcript"
        assert "leads outside the corpus folder" in err.problem
        assert all("Secret" not in s.transcript.segments[0].text for s in result.episodes if s.transcript)


def test_record_path_up_and_back_inside_the_corpus_folder_is_fine(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "records").mkdir(parents=True)
    (corpus / "media").mkdir()
    (corpus / "media" / "one.vtt").write_text(SAFE_VTT)
    (corpus / "records" / "one.json").write_text(json.dumps({"title": "One", "transcript": "../media/one.vtt"}))
    result = collect_sources([corpus])
    assert result.errors == [] and result.episodes[0].transcript is not None
