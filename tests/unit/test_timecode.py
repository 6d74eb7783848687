import pytest

from indexer.timecode import audio_link, format_timestamp, parse_timestamp


@pytest.mark.parametrize("text,seconds", [
    ("1:00", 60), ("10:40", 640), ("58:50", 3530), ("1:02:03", 3723), ("62:03", 3723), ("00:01:02,500", 62.5),
    ("00:04.200", 4.2), ("3723", 3723), (12.5, 12.5), ("0", 0),
])
def test_parses_every_form_players_publish(text, seconds):
    assert parse_timestamp(text) == pytest.approx(seconds)


@pytest.mark.parametrize("bad", ["99:99:99", "-1", -1, "1:60", "abc", "", "nan", float("inf"), True])
def test_refuses_impossible_times(bad):
    with pytest.raises(ValueError):
        parse_timestamp(bad)


def test_display_and_links():
    assert format_timestamp(3723) == "1:02:03"
    assert format_timestamp(640) == "10:40"
    assert format_timestamp(None) == ""
    assert audio_link("https://x/a.mp3", 640.7) == "https://x/a.mp3#t=640"
    assert audio_link("https://x/a.mp3#t=5", 10) == "https://x/a.mp3#t=10"
    assert audio_link(None, 10) is None
