"""The GX suites in a worker process, started before the checks so that they overlap them.

Importing great_expectations takes seconds of Python on one core (2.7–4.3 s on the bench's
2-core machine), and a ``provenance validate`` process pays it on every run. In a thread the
import holds the GIL, and the checks' Python between their DuckDB statements waits for it
(measured: barely faster). A process of its own imports GX while DuckDB runs the checks: on two
cores ``validate`` of a million figures took a fifth to a quarter less time than the checks,
the import and the suites one after the other (README, *Scale*). A long-lived process (a
notebook, a service) imports GX once and does better running the suites itself, the library's
default.

The protocol is a pipe of pickles, child to parent: ``("progress", (stage, done, total))`` as
the suites run, then ``("results", [RuleResult, ...])``, ``("error", ProvenanceError)`` (raised
again in the parent as it was, as is an ``OSError``: a Data Docs folder that cannot be
written is exit 2 either way) or ``("crash", traceback)``. The request travels on stdin, as
plain values, before the child has imported anything of this package.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import traceback
from collections.abc import Collection
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from provenance.core.errors import ConfigError, ProvenanceError
from provenance.storage.batch_checker import no_progress

if TYPE_CHECKING:
    from provenance.storage.warehouse import Progress, Warehouse
    from provenance.validation.report import RuleResult

# Run by ``python -c``: the parent's sys.path first, so the child imports the same code. Ctrl-C
# is the parent's to handle (it stops the worker): the worker ignores it, traceback-free.
_BOOT = """\
import pickle, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
request = pickle.load(sys.stdin.buffer)
sys.path[:] = request["sys_path"]
from provenance.validation.gx_worker import serve
serve(request)
"""


class GXWorkerFailed(RuntimeError):
    """The worker ended without the suites' results, and no signal killed it: a bug. Its
    traceback is a note of the exception (``--debug`` prints it)."""


class SuitesInWorker:
    """:func:`provenance.validation.gx.run_suites` running in a child process from its
    creation; :meth:`results` waits for what it returns or raises. :meth:`close` stops it
    (always call one of the two: the orchestrator does, whatever the checks raise)."""

    def __init__(
        self,
        warehouse: Warehouse,
        suites_dir: Path,
        data_docs_dir: Path | None = None,
        files: Collection[str] | None = None,
        command: list[str] | None = None,  # tests start something else
    ) -> None:
        self._process = subprocess.Popen(
            command or [sys.executable, "-c", _BOOT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        request = {
            "sys_path": list(sys.path),
            "root": str(warehouse.root),
            "suites_dir": str(suites_dir),
            "data_docs_dir": None if data_docs_dir is None else str(data_docs_dir),
            "files": None if files is None else sorted(files),
        }
        stdin = self._process.stdin
        assert stdin is not None  # PIPE
        try:
            pickle.dump(request, stdin)
            stdin.close()
        except BrokenPipeError:  # the child is gone already: results() says how it ended
            pass

    def results(self, progress: Progress | None = None) -> list[RuleResult]:
        """The suites' results, once the worker sends them; ``progress`` hears its stages."""
        tell = progress or no_progress
        stdout = self._process.stdout
        assert stdout is not None  # PIPE
        try:
            while True:
                try:
                    kind, payload = pickle.load(stdout)
                except EOFError:
                    break
                if kind == "progress":
                    tell(*payload)
                elif kind == "results":
                    return list(payload)
                elif kind == "error":
                    raise payload
                else:
                    # One line, the worker's last; --debug prints its whole traceback (a note).
                    failed = GXWorkerFailed(f"in the GX worker: {payload.strip().splitlines()[-1]}")
                    failed.add_note(f"The worker's traceback:\n{payload}")
                    raise failed
            status = self._process.wait()
            if status < 0:  # a signal: the machine's doing (out of memory), not a bug
                raise ConfigError(
                    f"the GX worker process was killed by signal {-status} "
                    "(out of memory?): no GX results"
                )
            raise GXWorkerFailed(f"the GX worker process ended ({status}) without results")
        finally:
            self.close()

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def running(self) -> bool:
        """Whether the worker process is still alive."""
        return self._process.poll() is None

    def close(self) -> None:
        """Stop the worker if it still runs, and release its pipe."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()


def serve(request: dict[str, Any]) -> None:
    """The worker's side: run the suites, send each stage and the outcome to the parent."""
    from provenance.storage.warehouse import Warehouse
    from provenance.validation.gx import run_suites

    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever a library prints goes to stderr, not into the pipe of pickles
    try:
        results = run_suites(
            Warehouse(Path(request["root"])),
            Path(request["suites_dir"]),
            None if request["data_docs_dir"] is None else Path(request["data_docs_dir"]),
            request["files"],
            progress=lambda *stage: _send(channel, "progress", stage),
        )
        _send(channel, "results", results)
    except (ProvenanceError, OSError) as error:  # the user's or the environment's: as raised
        _send(channel, "error", error)
    except BaseException:  # the parent raises it as a bug, with this traceback
        _send(channel, "crash", traceback.format_exc())
    finally:
        channel.close()


def _send(channel: IO[bytes], kind: str, payload: Any) -> None:
    pickle.dump((kind, payload), channel, protocol=pickle.HIGHEST_PROTOCOL)
    channel.flush()
