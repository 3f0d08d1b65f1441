"""Progress bars for long work, shown only where a person is watching (a terminal)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from provenance.storage.warehouse import Progress

# Below this many rows an append is quick enough that a bar would only flicker.
MIN_ROWS_FOR_BAR = 2000
# A validate shows its bars only past this: the bundled warehouse's takes well under a second
# without GX (a bar would only flicker), a million figures' several, ten million's most of a minute.
VALIDATE_BAR_AFTER_SECONDS = 1.0


@contextmanager
def terminal_progress(
    min_total: int = MIN_ROWS_FOR_BAR, after_seconds: float = 0.0
) -> Iterator[Progress | None]:
    """A ``progress(stage, done, total)`` callback drawing a bar per stage on stderr, or None
    off a tty.

    A stage is drawn when its total reaches ``min_total``, and nothing is drawn before the
    work has lasted ``after_seconds`` (then the bars show where the work stands, even between
    two calls). The bars are cleared when the work ends, before anything else is printed.
    """
    if not sys.stderr.isatty():
        yield None
        return
    bars = _bars(time.monotonic(), after_seconds)
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        if total < min_total:
            return
        if stage not in tasks:
            tasks[stage] = bars.add_task(stage, total=total, completed=done)
        bars.update(tasks[stage], completed=done, total=total)

    try:
        yield update
    finally:
        bars.stop()


def _bars(started: float, after_seconds: float) -> Any:
    """A started rich Progress on stderr: stage, bar, done/total, and the time since the work
    ``started`` (``time.monotonic()``); empty until ``after_seconds`` have passed."""
    from datetime import timedelta

    from rich.console import Console, RenderableType
    from rich.progress import BarColumn, MofNCompleteColumn, ProgressColumn, TextColumn
    from rich.progress import Progress as RichProgress
    from rich.text import Text

    class SinceStart(ProgressColumn):
        def render(self, task: Any) -> Text:
            elapsed = timedelta(seconds=int(time.monotonic() - started))
            return Text(str(elapsed), style="progress.elapsed")

    class Bars(RichProgress):
        # Redrawn by rich's own refresh thread: the bars appear on time, with no call needed.
        def get_renderables(self) -> Iterable[RenderableType]:
            if time.monotonic() - started >= after_seconds:
                yield from super().get_renderables()

    bars = Bars(
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        SinceStart(),
        console=Console(stderr=True),
        transient=True,
        refresh_per_second=4,  # not rich's 10: each redraw takes the GIL from the work
    )
    bars.start()
    return bars
