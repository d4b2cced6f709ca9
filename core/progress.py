"""A progress bar for long commands, drawn only on a terminal (rich): a command run by cron, in CI
or with its output piped stays quiet, and prints only its one-line summary."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


@contextmanager
def progress(stream: Any, *, total: int | None, label: str) -> Iterator[Callable[[int], None]]:
    """``advance(n=1)`` moves the bar on; on anything but a terminal it does nothing."""
    if not _is_terminal(stream):

        def nothing(n: int = 1) -> None:
            return None

        yield nothing
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=getattr(stream, "_out", stream), force_terminal=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(label, total=total)

        def advance(n: int = 1) -> None:
            bar.advance(task, n)

        yield advance
