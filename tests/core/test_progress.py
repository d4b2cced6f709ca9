"""Long commands draw a progress bar on a terminal, and stay quiet (their one-line summary only)
when not on one."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from core.progress import progress
from tests import builders


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_is_drawn_on_a_terminal_only():
    screen, pipe = Terminal(), StringIO()
    for stream in (screen, pipe):
        with progress(stream, total=3, label="Counting sheep") as advance:
            for _ in range(3):
                advance(1)
    assert "Counting sheep" in screen.getvalue()
    assert "3/3" in screen.getvalue()
    assert pipe.getvalue() == ""


@pytest.mark.django_db
def test_verify_commands_show_progress_on_a_terminal_and_a_summary_everywhere(alex):
    builders.make_case(alex, state="submitted")
    for command, label, summary in (
        ("verify_audit", "Checking the audit chain", "Audit chain intact"),
        ("verify_documents", "Re-hashing stored files", "All 2 document versions verified"),
    ):
        out, err = StringIO(), Terminal()
        call_command(command, stdout=out, stderr=err)
        assert label in err.getvalue(), command
        assert summary in out.getvalue(), command
        quiet_out, quiet_err = StringIO(), StringIO()
        call_command(command, stdout=quiet_out, stderr=quiet_err)
        assert quiet_err.getvalue() == "", command
        assert len(quiet_out.getvalue().strip().splitlines()) == 1, command
