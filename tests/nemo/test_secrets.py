"""Nothing shown or recorded carries the token; downloads get a render's file mode."""

from __future__ import annotations

import json
import os
import stat

from lapsefile.backends.nemo.auth import CredentialStore
from lapsefile.backends.nemo.backend import _scrubbing
from lapsefile.events import Collector, Event

from .helpers import cached_token, run


def test_every_token_used_is_scrubbed_from_what_is_shown(tmp_path):
    tokens = iter(["nmv_usr_first_token_123", "nmv_usr_second_token_456"])
    store = CredentialStore("http://svc", lambda client_id: {"token": next(tokens)},
                            env={"LAPSEFILE_CONFIG_DIR": str(tmp_path)})
    first = store.current()
    store.renew(first)  # the first was refused: both have been sent by now
    sink = Collector()
    emit = _scrubbing(sink, store.scrub)
    emit(Event("message", "main/instruct-title-1", {
        "text": "Your token nmv_usr_first_token_123 (now nmv_usr_second_token_456) works",
        "source": "agent", "count": 3}))
    (event,) = sink.events
    assert event.data == {"text": "Your token <token> (now <token>) works", "source": "agent",
                          "count": 3}


def test_a_run_shows_and_records_no_token(emulator, project, private_config):
    events = Collector()
    run(project, emulator, emit=events)
    token = cached_token(private_config)
    shown = json.dumps([e.to_dict() for e in events.events])
    assert token not in shown
    assert token not in project.with_suffix(".lock").read_text(encoding="utf-8")


def test_a_downloaded_video_gets_the_mode_a_local_render_gets(emulator, project):
    previous = os.umask(0o022)
    try:
        run(project, emulator)
    finally:
        os.umask(previous)
    mode = stat.S_IMODE((project.parent / "out" / "main.mp4").stat().st_mode)
    assert mode == 0o644  # not mkstemp's 0600


def test_an_export_record_keeps_no_signed_url():
    from lapsefile.backends.nemo.backend import _public

    record = _public({"render_id": "r1", "output_url": "https://u:p@cdn/r1.mp4?X-Sig=abc#t"})
    assert record == {"render_id": "r1", "output_url": "https://cdn/r1.mp4"}
    assert _public({"render_id": "r1"}) == {"render_id": "r1"}
