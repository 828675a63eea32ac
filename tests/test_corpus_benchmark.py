"""``python -m benchmarks corpus PATH`` on a tiny folder laid out like shared/data/real/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import corpus

BOUNCE = ("From: MAILER-DAEMON@mx.example.org\nTo: sam@example.edu\nSubject: Undelivered Mail Returned to Sender\n\n"
          "<ada@example.com>: host mx.example.com said: 550 5.1.1 User unknown\n")
REPLY = "From: Ada <ada@example.com>\nTo: sam@example.edu\nSubject: Re: Hello\n\nSure, let's talk.\n"


def test_corpus_table_lists_each_miss(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mail" / "x").mkdir(parents=True)
    (tmp_path / "vcard").mkdir()
    (tmp_path / "mail" / "x" / "b.eml").write_text(BOUNCE)
    (tmp_path / "mail" / "x" / "r.eml").write_text(REPLY)
    (tmp_path / "mail" / "x" / "wrong.eml").write_text(REPLY)
    labels = {"x/b.eml": {"kind": "bounce", "recipients": ["ada@example.com"]},
              "x/r.eml": {"kind": "reply", "recipients": []},
              "x/wrong.eml": {"kind": "bounce", "recipients": ["bob@example.com"]}}
    (tmp_path / "mail" / "labels.json").write_text(json.dumps({"labels": labels}))
    (tmp_path / "vcard" / "a.vcf").write_text("BEGIN:VCARD\nVERSION:2.1\nFN:Ada\nEMAIL;PREF:ada@example.com\n"
                                              "END:VCARD\n")
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "excel.csv").write_bytes("Email;Name\r\nrene@example.com;René\r\n".encode("cp1252"))
    assert corpus.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "| bounces recognised | 1/2 (50%) |" in out
    assert "| human replies classified as replies | 1/1 (100%) |" in out
    assert "| vCard addresses imported | 1/1 (100%) |" in out
    assert "- x/wrong.eml: taken as reply" in out
    assert "| CSV exports read (not refused) | 1/1 (100%) |" in out
    assert "| exports whose re-import changes nothing | 2/2 (100%) |" in out


def test_corpus_refuses_a_folder_without_labels_or_vcards(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        corpus.main([str(tmp_path)])
