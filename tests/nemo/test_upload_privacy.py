"""Signed upload URLs stay out of the lock: it is meant to be committed, and a signature is a
credential. The run that received a signed URL uses it; later runs use the URL as the lock keeps
it (and fall back to sending bytes if the service refuses it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lapsefile.backends.nemo.client import NemoClient
from lapsefile.backends.nemo.proxies import UploadFile
from lapsefile.backends.nemo.uploads import AssetRegistry, unsigned
from lapsefile.emulator.store import Asset
from lapsefile.runner import run_project

from .helpers import FRAMES, QUICK_OPTIONS, Emulator, read_lock, run

SIGNATURE = "?X-Amz-Credential=AKIAEXAMPLE%2F20240101&X-Amz-Signature=0123abcd#t=1"
API = "https://api.example"


def _file(sha: str = "a" * 64) -> UploadFile:
    return UploadFile(path=Path("IMG_1.jpg"), sha256=sha, size=3, filename="IMG_1.jpg",
                      source="photos/IMG_1.jpg")


def _saved(state: dict[str, Any]) -> dict[str, Any]:
    """The backend's section as the lock file will hold it."""
    return json.loads(json.dumps(state))


@pytest.mark.parametrize("url, kept", [
    ("https://cdn.example/u/IMG_1.jpg" + SIGNATURE, "https://cdn.example/u/IMG_1.jpg"),
    ("https://cdn.example/u/IMG_1.jpg?sig=1", "https://cdn.example/u/IMG_1.jpg"),
    ("https://cdn.example/u/IMG_1.jpg#frag", "https://cdn.example/u/IMG_1.jpg"),
    ("https://cdn.example/u/IMG_1.jpg?", "https://cdn.example/u/IMG_1.jpg"),
    ("https://user:pw@cdn.example:8443/a%20b.jpg?x=1", "https://cdn.example:8443/a%20b.jpg"),
    ("http://127.0.0.1:8765/_files/abc/IMG_1.jpg", "http://127.0.0.1:8765/_files/abc/IMG_1.jpg"),
])
def test_unsigned_keeps_only_scheme_host_and_path(url, kept):
    assert unsigned(url) == kept


def test_the_lock_gets_the_url_without_its_signature_and_this_run_keeps_it_whole():
    state: dict[str, Any] = {}
    registry = AssetRegistry(state, API)
    registry.put(_file(), "https://cdn.example/u/IMG_1.jpg" + SIGNATURE)
    assert registry.url("a" * 64) == "https://cdn.example/u/IMG_1.jpg" + SIGNATURE
    saved = _saved(state)
    assert saved["assets"]["a" * 64] == {"url": "https://cdn.example/u/IMG_1.jpg",
                                         "filename": "IMG_1.jpg", "size": 3, "api_url": API}
    assert "Signature" not in json.dumps(saved) and "?" not in json.dumps(saved)


def test_a_url_read_back_from_the_lock_is_used_as_stored():
    state: dict[str, Any] = {}
    AssetRegistry(state, API).put(_file(), "https://cdn.example/u/IMG_1.jpg" + SIGNATURE)
    next_run = AssetRegistry(_saved(state), API)
    assert next_run.url("a" * 64) == "https://cdn.example/u/IMG_1.jpg"


def test_a_signed_url_in_an_older_lock_is_scrubbed_and_still_used_this_run():
    state = {"assets": {"a" * 64: {"url": "https://cdn.example/u/IMG_1.jpg?sig=old",
                                   "filename": "IMG_1.jpg", "size": 3, "api_url": API}}}
    registry = AssetRegistry(state, API)
    assert state["assets"]["a" * 64]["url"] == "https://cdn.example/u/IMG_1.jpg"
    assert registry.url("a" * 64) == "https://cdn.example/u/IMG_1.jpg?sig=old"


def test_forgotten_urls_are_forgotten_in_memory_too():
    state: dict[str, Any] = {}
    registry = AssetRegistry(state, API)
    registry.put(_file("a" * 64), "https://cdn.example/a.jpg?sig=1")
    registry.put(_file("b" * 64), "https://cdn.example/b.jpg?sig=2")
    registry.put(_file("c" * 64), "https://cdn.example/c.jpg?sig=3")
    registry.forget(["a" * 64])
    registry.retain({"b" * 64})
    assert registry.url("a" * 64) is None and registry.url("c" * 64) is None
    assert registry.url("b" * 64) == "https://cdn.example/b.jpg?sig=2"
    AssetRegistry(state).retain(set())  # another registry over the same lock section
    assert registry.url("b" * 64) is None


def test_a_url_put_by_another_registry_wins_over_a_stale_signed_one():
    state: dict[str, Any] = {}
    registry = AssetRegistry(state, API)
    registry.put(_file(), "https://cdn.example/old.jpg?sig=1")
    AssetRegistry(state, API).put(_file(), "https://cdn.example/new.jpg?sig=2")
    assert registry.url("a" * 64) == "https://cdn.example/new.jpg"


@pytest.fixture
def signed_cdn(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The emulator hands out signed cdn_urls (it serves files by path, so the signature is
    decoration it ignores); returns the URL lists lapsefile attaches, call by call."""
    describe = Asset.describe

    def signed(self: Asset, base_url: str) -> dict[str, Any]:
        answer = describe(self, base_url)
        return {**answer, "cdn_url": answer["cdn_url"] + SIGNATURE,
                "url": answer["url"] + SIGNATURE}

    monkeypatch.setattr(Asset, "describe", signed)
    attached: list[list[str]] = []
    attach = NemoClient.attach_urls

    def recording(self: NemoClient, session_id: str, urls: list[str]) -> list[dict[str, Any]]:
        attached.append(list(urls))
        return attach(self, session_id, urls)

    monkeypatch.setattr(NemoClient, "attach_urls", recording)
    return attached


def test_a_run_attaches_signed_urls_and_locks_them_unsigned(signed_cdn, emulator: Emulator,
                                                            project: Path):
    run(project, emulator)
    urls = [u for call in signed_cdn for u in call]
    assert len(urls) == FRAMES + 2 and all(u.endswith(SIGNATURE) for u in urls)
    lock_text = project.with_suffix(".lock").read_text(encoding="utf-8")
    assert "X-Amz" not in lock_text and "AKIAEXAMPLE" not in lock_text
    assets = read_lock(project)["backends"]["nemo"]["assets"]
    assert assets and all("?" not in a["url"] and "#" not in a["url"] for a in assets.values())

    signed_cdn.clear()  # the next run attaches what the lock holds, sending no bytes
    run_project(project, options={"api_url": emulator.url, **QUICK_OPTIONS}, force=True)
    assert sorted(u for call in signed_cdn for u in call) == sorted(
        a["url"] for a in read_lock(project)["backends"]["nemo"]["assets"].values())
    assert read_lock(project)["outputs"]["main"]["steps"]["main/upload"]["sent"] == 0
