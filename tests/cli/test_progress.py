"""Progress bars: drawn on a terminal only, and only for work that lasts."""

from __future__ import annotations

import io
import re
import sys
import time

import pytest

from provenance.cli.progress import terminal_progress


class Terminal(io.StringIO):
    """stderr as a person watching it: a terminal."""

    def isatty(self) -> bool:
        return True


def on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """stderr replaced by a terminal, in the test's body (pytest's capture would put its own
    stream back between a fixture and the test)."""
    for variable in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TERM"):
        monkeypatch.delenv(variable, raising=False)
    stream = Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    return stream


def drawn(stream: io.StringIO) -> str:
    """What the bars said, control sequences and bar glyphs left out."""
    return re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]|[━╸╺]", "", stream.getvalue())


def test_no_bar_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with terminal_progress(min_total=1) as progress:
        assert progress is None


def test_a_bar_shows_each_stage_done_of_total(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = on_a_terminal(monkeypatch)
    with terminal_progress(min_total=1) as progress:
        assert progress is not None
        progress("checking", 0, 5)
        progress("checking", 3, 5)
        progress("GX suites", 1, 6)
    said = drawn(terminal)
    assert re.search(r"checking\s+3/5", said)
    assert re.search(r"GX suites\s+1/6", said)


def test_quick_or_small_work_draws_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Below ``min_total``, or before ``after_seconds`` have passed, no bar is drawn."""
    terminal = on_a_terminal(monkeypatch)
    with terminal_progress(min_total=1, after_seconds=3600) as progress:
        assert progress is not None
        progress("checking", 3, 5)
    with terminal_progress(min_total=2000) as progress:
        assert progress is not None
        progress("writing", 10, 100)
    assert drawn(terminal).strip() == ""


def test_a_bar_shows_on_time_between_two_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Work that goes quiet (a long check, an import) still shows where it stands once
    ``after_seconds`` have passed: the bars are redrawn without waiting for a call."""
    terminal = on_a_terminal(monkeypatch)
    with terminal_progress(min_total=1, after_seconds=0.2) as progress:
        assert progress is not None
        progress("GX suites", 0, 6)
        deadline = time.monotonic() + 5
        while "GX suites" not in drawn(terminal) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert re.search(r"GX suites\s+0/6", drawn(terminal))
