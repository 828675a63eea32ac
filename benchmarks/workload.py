"""The shared workload: 1,000 personalised intro messages with HTML and ten variables."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

TEMPLATE_HTML = """<p>Hi {{ first_name }},</p>
<p>{{ referrer_name }} mentioned you when we met at {{ event }}. I'm {{ sender_name }}, a {{ school }} student in
{{ city }} exploring {{ topic }}.</p>
<p>I would love to hear how you got into your role as {{ position }} at <b>{{ company }}</b> and what a
week there looks like. Would you have
20 minutes in the next two weeks? I am happy to work around your calendar.</p>
<ul><li>How did you move into {{ topic }}?</li><li>What skills matter most at {{ company }}?</li></ul>
<p>Thank you, {{ first_name }}!<br>{{ sender_name }}<br><a href="https://example.edu/~sam">My portfolio</a></p>
"""
SUBJECT = "{{ school }} student curious about {{ topic }} at {{ company }}"
SENDER_NAME, SENDER_EMAIL = "Sam Rivera", "sam.rivera@example.edu"
COMPANIES = ["Acme, Inc.", "Globex", "Initech", "Hooli", "Umbrella Health", "Stark & Wayne LLP"]
FIRST = ["Zoë", "Kai", "Nadia", "Mateo", "Priya", "Björn", "Renée", "Wen"]
LAST = ["O'Brien-Müller", "Kim", "Okafor", "García", "Tanaka", "Haddad"]


@dataclass(frozen=True)
class Person:
    email: str
    first_name: str
    last_name: str
    company: str
    position: str
    school: str
    topic: str
    referrer_name: str
    event: str
    city: str

    def variables(self) -> dict[str, str]:
        return {**self.__dict__, "sender_name": SENDER_NAME}


def people(n: int) -> list[Person]:
    return [Person(email=f"contact{i}@example.com", first_name=FIRST[i % 8], last_name=LAST[i % 6],
                   company=COMPANIES[i % 6], position="Data Scientist", school="State University",
                   topic="analytics engineering", referrer_name="Maya Chen", event="the spring career fair",
                   city="Lyon") for i in range(n)]


def write_csv(path: Path, rows: list[Person]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["email", "first_name", "last_name", "company", "position", "school", "topic",
                         "referrer_name", "event", "city", "sender_name"])
        for p in rows:
            writer.writerow([p.email, p.first_name, p.last_name, p.company, p.position, p.school, p.topic,
                             p.referrer_name, p.event, p.city, SENDER_NAME])
    return path


def write_outreach_template(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bench-intro.html").write_text(
        f'+++\nkind = "intro"\nsubject = "{SUBJECT}"\n+++\n{TEMPLATE_HTML}', encoding="utf-8")
    return folder


def write_mailmerge_template(path: Path) -> Path:
    path.write_text(
        f"TO: {{{{email}}}}\nSUBJECT: {SUBJECT}\nFROM: {SENDER_NAME} <{SENDER_EMAIL}>\n"
        f"Content-Type: text/html\n\n{TEMPLATE_HTML}", encoding="utf-8")
    return path
