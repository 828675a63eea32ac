"""`outreach send --contacts` holds no per-message objects for the whole batch, so memory stays flat as it grows.

Not a timed test: it counts the objects alive while the last message of a batch goes out. Before,
the command kept every recipient read from the file and one outcome per message for its summary;
now the summary keeps counts, and the file is read in passes (checked whole before the first send).
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from smtp_server import start_server

from outreach.book import recipientfile
from outreach.book.formats.base import ImportedContact
from outreach.cli import cli
from outreach.models import Contact, Outcome, Recipient

MESSAGES = 400
WATCHED = (Outcome, Recipient, Contact, ImportedContact)
TEMPLATE = ('+++\nkind = "intro"\nsubject = "Hello from Sam"\n+++\n'
            "<p>Hi {{ first_name }},</p><p>I read about {{ topic }} at {{ company }} and would value ten minutes"
            " of your advice on it.</p><p>Best,<br>Sam</p>\n")


class Census:
    """An SMTP handler that keeps no message and, as the last one arrives, counts the watched objects alive."""

    def __init__(self, at: int) -> None:
        self.count = 0
        self.at = at
        self.alive: Counter[str] = Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        if self.count == self.at:  # the sender waits for this reply: its batch is as it is mid-send
            self.alive = alive_now()
        return "250 2.0.0 Ok: queued"


def alive_now() -> Counter[str]:
    """How many objects of each watched type are alive in this process."""
    gc.collect()
    return Counter(type(o).__name__ for o in gc.get_objects() if isinstance(o, WATCHED))


@pytest.fixture
def census() -> Iterator[tuple[Census, int]]:
    handler = Census(MESSAGES)
    controller = start_server(handler)  # type: ignore[arg-type]
    yield handler, controller.port
    controller.stop()


def test_sending_a_file_keeps_no_object_per_message(tmp_path: Path, config_file: Path, census: tuple[Census, int],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recipientfile, "HOLD_ROWS", 0)  # as a file too large to hold (see recipientfile.py)
    handler, port = census
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "hello.html").write_text(TEMPLATE, encoding="utf-8")
    config_file.write_text(config_file.read_text() + f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                           f'[send]\nrate_per_minute = 0\n[templates]\ndirs = ["{tmp_path / "templates"}"]\n',
                           encoding="utf-8")
    contacts = tmp_path / "contacts.csv"
    with contacts.open("w", encoding="utf-8") as fh:
        fh.write("email,name,company,topic\n")
        for i in range(MESSAGES):
            fh.write(f'person{i}@example.com,Zoë Person{i},"Acme {i % 7}, Inc.",data pipelines {i % 5}\n')
    before = alive_now()  # what earlier tests left alive is not the batch's
    result = CliRunner().invoke(cli, ["send", "hello", "--contacts", str(contacts)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"Done: {MESSAGES} sent" in result.stdout and handler.count == MESSAGES
    # The message in flight and the one before may be alive; one object per message sent or read may not.
    grown = handler.alive - before
    assert all(n < 10 for n in grown.values()), grown
