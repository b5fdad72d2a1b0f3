import pytest

from lapsefile.project.timing import DEFAULT_FPS, TimingProblem, solve
from lapsefile.spec.model import TimingRequest


def test_fps_alone_is_one_frame_per_photo():
    t = solve(TimingRequest(fps=30), 300, None)
    assert (t.fps, t.duration, t.hold, t.frame_count) == (30, 10, pytest.approx(1 / 30), 300)


def test_nothing_given_defaults_to_24_fps():
    t = solve(TimingRequest(), 48, None)
    assert t.fps == DEFAULT_FPS and t.duration == pytest.approx(2.0)


def test_fps_and_duration_give_hold():
    t = solve(TimingRequest(fps=24, duration=30), 200, None)
    assert t.hold == pytest.approx(0.15) and t.frame_count == 720
    assert t.frames_per_photo == pytest.approx(3.6)


def test_fps_and_hold_give_duration():
    t = solve(TimingRequest(fps=25, hold=0.2), 50, None)
    assert t.duration == pytest.approx(10) and t.frame_count == 250


def test_fps_and_speedup_with_explicit_interval():
    # shots every 5 s, 100x faster: each photo shows for 0.05 s
    t = solve(TimingRequest(fps=60, speedup=100, interval=5), 120, None)
    assert t.hold == pytest.approx(0.05) and t.duration == pytest.approx(6)
    assert t.speedup == pytest.approx(100)


def test_speedup_uses_measured_interval_when_not_given():
    t = solve(TimingRequest(fps=24, speedup=240), 240, measured_interval=10.0)
    assert t.hold == pytest.approx(10 / 240) and t.interval == 10.0


def test_duration_reports_speedup_when_interval_known():
    t = solve(TimingRequest(fps=24, duration=10), 240, measured_interval=6.0)
    assert t.speedup == pytest.approx(6.0 / (10 / 240))


def test_duration_and_hold_that_agree_are_accepted():
    t = solve(TimingRequest(duration=30, hold=0.15), 200, None)
    assert t.fps == DEFAULT_FPS and t.hold == pytest.approx(0.15)


def test_duration_and_hold_that_disagree_explain_the_numbers():
    with pytest.raises(TimingProblem) as info:
        solve(TimingRequest(duration=30, hold=0.2), 200, None)
    msg = info.value.message
    assert "200 photos" in msg and "40 s" in msg and "30 s" in msg
    assert set(info.value.keys) == {"hold", "duration"}


def test_three_values_that_contradict():
    with pytest.raises(TimingProblem) as info:
        solve(TimingRequest(fps=24, duration=30, hold=1), 200, None)
    assert "200 s" in info.value.message and "30 s" in info.value.message


def test_too_short_for_one_frame_per_photo():
    with pytest.raises(TimingProblem) as info:
        solve(TimingRequest(fps=24, duration=5), 200, None)
    problem = info.value
    assert "8.333 s" in problem.message and "5 s" in problem.message
    assert "raise fps to 40" in problem.hint and "every: 2" in problem.hint


def test_speedup_without_any_interval_says_how_to_fix():
    with pytest.raises(TimingProblem) as info:
        solve(TimingRequest(speedup=600), 100, None)
    assert "interval" in info.value.hint


def test_speedup_and_duration_disagree_with_known_interval():
    with pytest.raises(TimingProblem) as info:
        solve(TimingRequest(duration=30, speedup=600), 200, measured_interval=5.0)
    assert "600x" in info.value.message


def test_no_photos():
    with pytest.raises(TimingProblem):
        solve(TimingRequest(fps=24), 0, None)


def test_single_photo_held_for_duration():
    t = solve(TimingRequest(fps=24, duration=3), 1, None)
    assert t.hold == 3 and t.frame_count == 72


@pytest.mark.parametrize("request_, key", [
    (TimingRequest(fps=float("nan")), "fps"),
    (TimingRequest(duration=float("inf")), "duration"),
    (TimingRequest(fps=24, hold=-1.0), "hold"),
])
def test_non_finite_or_negative_values_are_problems(request_, key):
    with pytest.raises(TimingProblem) as info:
        solve(request_, 10, None)
    assert info.value.keys == (key,) and f"timing.{key} must be a positive number" in str(
        info.value)


@pytest.mark.parametrize("request_", [TimingRequest(duration=1.0e308),
                                      TimingRequest(fps=240, hold=36_000_000)])
def test_absurdly_long_videos_are_problems_not_crashes(request_):
    with pytest.raises(TimingProblem) as info:
        solve(request_, 10, None)
    assert "up to 24 h" in info.value.message
