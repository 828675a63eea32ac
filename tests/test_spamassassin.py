"""Every built-in template, for every sample person, scores at most 0.3 with SpamAssassin's local rules.

Runs the real `spamassassin` (Debian package `spamassassin`, installed by .ci/run) once over an mbox
of all the messages; skipped where it is not installed.
"""

from __future__ import annotations

import mailbox
import re
import shutil
import subprocess
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from outreach import Renderer, Sender, build_message, serialize
from outreach.compose.samples import sample_recipients

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("spamassassin") is None, reason="spamassassin is not installed")]

SENDERS = {
    "full": Sender("Sam Rivera", "sam.rivera@example.edu", {
        "about": "a final-year statistics student", "school": "State University", "phone": "+1 555 010 2030",
        "linkedin": "https://www.linkedin.com/in/samrivera"}),
    "bare": Sender("Sam Rivera", "sam.rivera@example.edu"),
    "personal email": Sender("Sam Rivera", "sam.rivera@example.edu", {"personal_email": "sam.rivera@example.com"}),
}
# The variants a reply gets from its thread (the plain one first).
THREAD_FACTS: dict[str, list[dict[str, object]]] = {
    "follow-up": [{}, {"followup_number": 2}, {"meeting_cancelled": True, "meeting_on": "November 30"}],
    "job-update": [{}, {"helped": "introduction", "referred": ["Maya Chen"], "met_on": "December 3"},
                   {"helped": "referral", "referred": ["Maya Chen"], "referred_answered": ["Maya Chen"],
                    "met_on": "December 3"}],
}
TEMPLATES = ("intro", "follow-up", "thank-you", "check-in", "job-update", "met-at-event")


def test_every_builtin_scores_at_most_0_3(tmp_path: Path) -> None:
    box = mailbox.mbox(tmp_path / "all.mbox")
    names: dict[str, str] = {}
    renderer = Renderer()
    for template in TEMPLATES:
        for label, sender in SENDERS.items():
            for facts in THREAD_FACTS.get(template, [{}]):
                for recipient in sample_recipients():
                    if not recipient.contact.email:
                        continue
                    extra = {"event": "the Fall Career Fair"} if template == "met-at-event" else {}
                    draft = renderer.render(template, recipient.contact, sender,
                                            {**extra, **recipient.variables, **facts})
                    data, _ = serialize(build_message(draft, sender))
                    message = message_from_bytes(data, policy=policy.default)
                    names[str(message["Message-ID"])] = f"{template} {facts} / {label} sender / {recipient.where}"
                    box.add(mailbox.mboxMessage(data))
    box.close()
    done = subprocess.run(["spamassassin", "-L", "--mbox", str(tmp_path / "all.mbox")], capture_output=True,
                          check=True, timeout=240, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    (tmp_path / "scored.mbox").write_bytes(done.stdout)
    scores = {}
    for message in mailbox.mbox(tmp_path / "scored.mbox"):
        status = " ".join(str(message.get("X-Spam-Status", "")).split())
        found = re.search(r"score=(-?[\d.]+).*?tests=(.*)", status)
        if found and message.get("Message-ID"):
            scores[names[message["Message-ID"].strip()]] = (float(found.group(1)), found.group(2))
    assert len(scores) == len(names)
    high = {name: s for name, s in scores.items() if s[0] > 0.3}
    assert high == {}
