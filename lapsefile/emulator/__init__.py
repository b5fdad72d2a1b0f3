"""An emulator of the NemoVideo cloud API, for testing lapsefile's ``nemo`` backend end to end.

It serves every documented endpoint on loopback with the documented envelopes and error codes,
an agent that understands instructions in English and Chinese, however they are worded (it
listens for keywords and values, not sentences: lapsefile's template sentences are one
wording among many) and adds, changes, replaces or removes what is on the draft accordingly,
the stream behaviour of the real service (heartbeats, silent closes, spurious "temporary
issue" messages) and exports rendered for real by the local ffmpeg engine. The draft can be
shown in several dialects, and the agent can be made to carry instructions out only in part or
approximately. A fault plan makes any documented failure happen on purpose.

Pointing lapsefile at it
------------------------
From a shell::

    lapsefile emulator --port 8765            # prints http://127.0.0.1:8765, Ctrl-C stops it
    NEMO_API_URL=http://127.0.0.1:8765 lapsefile run --backend nemo lapse.yaml
    # or: lapsefile run --backend nemo --api-url http://127.0.0.1:8765 lapse.yaml

``--port 0`` picks a free port; the URL is always the first line of standard output. Useful
options: ``--faults faults.yaml``, ``--sse-shape typed|adk``, ``--render-shape flat|wrapped``,
``--upload-shape files|uploaded_files``, ``--error-statuses mapped|ok``,
``--draft-dialect classic|camel|opaque``, ``--seed N``, ``--silent-close-rate F``,
``--spurious-rate F``, ``--partial-rate F``, ``--approximate-rate F``, ``--edit-delay S``,
``--heartbeat S``, ``--render-delay S``, ``--credits N``, ``--data-dir DIR``.

From a test, in-process::

    from lapsefile.emulator import EmulatorConfig, EmulatorServer, FaultPlan

    faults = FaultPlan.from_text("- {endpoint: state, status: 500, times: 2}")
    config = EmulatorConfig(render_delay=0, heartbeat_interval=0.05, faults=faults)
    with EmulatorServer(config) as emulator:
        monkeypatch.setenv("NEMO_API_URL", emulator.url)
        ...                                   # run lapsefile's nemo backend
        calls = httpx.get(emulator.url + "/_emulator/calls").json()  # or emulator.state.calls

Behaviour worth knowing
-----------------------
- Tokens: ``X-Client-Id`` missing or over 64 characters -> HTTP 400. One *live* token per
  client id per ``token_window`` (7 days): asking again while it is valid -> HTTP 429; once it
  expired (``token_ttl``) or was revoked (an injected 1001), the same client id gets a new
  token for the same user and credits. At most ``tokens_per_ip`` (10) tokens per address.
- HTTP statuses (``error_statuses="mapped"``): 1001 -> 401, 1002 -> 404, 2001 -> 200,
  4001 -> 415, 4002 -> 413, others -> see ``envelopes``. ``"ok"``: every business error is
  HTTP 200 with the code in the body. Business errors carry ``msg``, render errors ``message``.
- Uploads: the same name and content uploaded again to a session is one asset. The timeline
  instruction takes the *first N images uploaded to the session*, in upload order: upload the
  frames before the logo. Files are served at ``/_files/<sha256>/<name>`` (the ``cdn_url``).
- ``/run_sse``: credits are checked before streaming (2001 is a JSON answer, not an event);
  an understood instruction's cost (by kind: timeline, look, title, timestamp, logo, music,
  whether it adds, changes or removes) is frozen while the agent works and spent when the edit
  is applied; text it does not understand, or cannot act on (a missing upload, a change or
  removal of something not on the timeline, an ambiguous "the title" among several) is a free
  text reply. The edit goes on if the client hangs up. About ``silent_close_rate`` of applied
  edits end with heartbeats only (no tool events, no text); ``spurious_issue_rate`` of answered
  edits get a trailing "temporary issue" text. Both are drawn from ``random.Random(f"{seed}:
  {session ordinal}:{instruction index in the session}")``, so a rerun repeats them exactly.
- The agent (:mod:`lapsefile.emulator.agent`): "Combine the 6 uploaded photos ... into a
  1.5-second timelapse", "Make a 30 second timelapse from the 200 photos at 24 fps, 1920×1080",
  "Change the title text from "Sunset" to "Golden hour".", "Show the logo logo2.png at the
  top-right of the frame, 15% of the frame width, at 80% opacity.", "Replace the background
  music a.mp3 with the uploaded audio b.mp3.", "Remove the timestamp.", "关闭所有平滑处理。" ...
  An instruction may hold several sentences about one object. A change alters only what it
  names (a title's new text keeps its window and style).
- ``partial_rate`` / ``approximate_rate`` (default 0): that share of instructions is applied
  with one part left out, or with times a frame off and percentages a point off
  (:mod:`lapsefile.emulator.fidelity`); drawn from the seed as well, apart from the draws above.
- ``draft_dialect``: ``classic`` (the internal draft), ``camel`` (other names and units) or
  ``opaque`` (only the documented keys are readable); see :mod:`lapsefile.emulator.draft`.
  ``/_emulator/state`` always shows the internal draft.
- Exports need ``X-Skill-Source``/``-Version``/``-Platform`` (else HTTP 402), a client id
  ``render_...`` (a duplicate -> 409, code 4009) and a draft with a segment. The draft in the
  request is rendered (the session's when omitted), in whichever dialect it comes: one sent
  back exactly as ``/state`` showed it renders as the session's draft. Output URL
  ``/_renders/<id>/output.mp4`` (public) and ``/api/render/proxy/<id>/download`` (with the
  token). Cancel ends a running job as ``failed`` with ``error: "cancelled"``.
- The draft schema is documented in :mod:`lapsefile.emulator.draft`; the fault plan format in
  :mod:`lapsefile.emulator.faults`; the control endpoints (``/_emulator/calls``, ``state``,
  ``reset``, ``faults``, ``clock``) in :mod:`lapsefile.emulator.control`.
"""

from .config import EmulatorConfig
from .faults import FaultPlan, FaultRule
from .server import EmulatorServer, serve_forever

__all__ = ["EmulatorConfig", "EmulatorServer", "FaultPlan", "FaultRule", "serve_forever"]
