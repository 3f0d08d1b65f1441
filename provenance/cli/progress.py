"""Progress bars for long work, shown only where a person is watching (a terminal)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from provenance.storage.warehouse import Progress

# Below this many rows an append is quick enough that a bar would only flicker.
MIN_ROWS_FOR_BAR = 2000


@contextmanager
def terminal_progress(min_total: int = MIN_ROWS_FOR_BAR) -> Iterator[Progress | None]:
    """A ``progress(stage, done, total)`` callback drawing a bar on stderr, or None off a tty."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    with Bar(
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if total < min_total:
                return
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        yield update
