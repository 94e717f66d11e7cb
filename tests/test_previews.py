"""partytrack.previews: a preview is confirmed with its own token, on its own page, once, within the hour."""

import pytest

from partytrack import previews


def test_a_preview_comes_back_with_its_token_only():
    session = {}
    token = previews.preview_store(session, kind="a", data={"rows": [1, 2]}, where="7/2022")
    assert previews.preview_load(session, kind="a", token=token, where="7/2022") == {"rows": [1, 2]}
    for kind, wrong, where in [
        ("a", "forged", "7/2022"),
        ("a", "", "7/2022"),
        ("b", token, "7/2022"),
        ("a", token, "8/2022"),
    ]:
        with pytest.raises(previews.PreviewExpired):
            previews.preview_load(session, kind=kind, token=wrong, where=where)


def test_a_second_upload_replaces_the_first_and_kinds_are_apart():
    session = {}
    first = previews.preview_store(session, kind="a", data=1)
    other = previews.preview_store(session, kind="b", data=2)
    second = previews.preview_store(session, kind="a", data=3)
    with pytest.raises(previews.PreviewExpired):
        previews.preview_load(session, kind="a", token=first)
    assert previews.preview_load(session, kind="a", token=second) == 3
    assert previews.preview_load(session, kind="b", token=other) == 2
    previews.preview_discard(session, kind="a")
    with pytest.raises(previews.PreviewExpired):
        previews.preview_load(session, kind="a", token=second)
    assert previews.preview_load(session, kind="b", token=other) == 2


def test_a_preview_older_than_an_hour_is_refused(monkeypatch):
    session = {}
    now = 1_800_000_000
    monkeypatch.setattr(previews.time, "time", lambda: now)
    token = previews.preview_store(session, kind="a", data=1)
    monkeypatch.setattr(previews.time, "time", lambda: now + previews.MAX_AGE)
    assert previews.preview_load(session, kind="a", token=token) == 1
    monkeypatch.setattr(previews.time, "time", lambda: now + previews.MAX_AGE + 1)
    with pytest.raises(previews.PreviewExpired):
        previews.preview_load(session, kind="a", token=token)
