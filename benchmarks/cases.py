"""The send cases: each sends the same personalised messages to the sink and returns seconds taken."""

from __future__ import annotations

import os
import smtplib
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid
from pathlib import Path

import jinja2

from .sink import PASSWORD, USER
from .workload import (SENDER_EMAIL, SENDER_NAME, SUBJECT, TEMPLATE_HTML, Person, write_csv,
                       write_mailmerge_template, write_outreach_template)


@dataclass(frozen=True)
class Target:
    """Where to send: port, and whether STARTTLS + AUTH are needed (with the CA that signed the sink)."""

    port: int
    secure: bool
    ca_file: str


def _smtp(target: Target) -> smtplib.SMTP:
    conn = smtplib.SMTP("127.0.0.1", target.port, timeout=60)
    if target.secure:
        conn.starttls(context=ssl.create_default_context(cafile=target.ca_file))
        conn.login(USER, PASSWORD)
    return conn


def _env() -> jinja2.Environment:
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def _build(env: jinja2.Environment, subject: jinja2.Template, body: jinja2.Template, p: Person) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"{SENDER_NAME} <{SENDER_EMAIL}>"
    msg["To"] = p.email
    msg["Subject"] = subject.render(p.variables())
    msg["Message-ID"] = make_msgid(domain="example.edu")
    msg.set_content("Plain text version")
    msg.add_alternative(body.render(p.variables()), subtype="html")
    return msg


def floor(target: Target, rows: list[Person], work: Path) -> float:
    """Raw smtplib, one connection, messages serialised beforehand: the transport limit."""
    env = _env()
    subject, body = env.from_string(SUBJECT), env.from_string(TEMPLATE_HTML)
    payloads = [(p.email, _build(env, subject, body, p).as_bytes(policy=SMTP)) for p in rows]
    start = time.perf_counter()
    with _smtp(target) as conn:
        for to, data in payloads:
            conn.sendmail(SENDER_EMAIL, [to], data)
    return time.perf_counter() - start


def hand_loop(target: Target, rows: list[Person], work: Path) -> float:
    """The best hand-written loop: Jinja2 + EmailMessage + smtplib over one connection."""
    start = time.perf_counter()
    env = _env()
    subject, body = env.from_string(SUBJECT), env.from_string(TEMPLATE_HTML)
    with _smtp(target) as conn:
        for p in rows:
            conn.send_message(_build(env, subject, body, p))
    return time.perf_counter() - start


def mailmerge_cli(target: Target, rows: list[Person], work: Path) -> float:
    """mailmerge's CLI with its rate limit off (it connects, and logs in, once per message)."""
    template = write_mailmerge_template(work / "mm_template.txt")
    database = write_csv(work / "mm_database.csv", rows)
    config = work / "mm_server.conf"
    security = f"security = STARTTLS\nusername = {USER}\n" if target.secure else ""
    config.write_text(f"[smtp_server]\nhost = 127.0.0.1\nport = {target.port}\n{security}ratelimit = 0\n")
    exe = Path(sys.executable).with_name("mailmerge")
    start = time.perf_counter()
    subprocess.run([str(exe), "--no-dry-run", "--no-limit", "--template", str(template), "--database",
                    str(database), "--config", str(config), "--output-format", "raw"], input=PASSWORD + "\n",
                   text=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, cwd=work)
    return time.perf_counter() - start


def yagmail_send(target: Target, rows: list[Person], work: Path) -> float:
    """yagmail's SMTP.send, rendering each body with Jinja2 as its users do."""
    import yagmail

    start = time.perf_counter()
    env = _env()
    subject, body = env.from_string(SUBJECT), env.from_string(TEMPLATE_HTML)
    client = yagmail.SMTP(user=USER if target.secure else SENDER_EMAIL, password=PASSWORD, host="127.0.0.1",
                          port=target.port, smtp_starttls=target.secure, smtp_ssl=False,
                          smtp_skip_login=not target.secure, soft_email_validation=False)
    for p in rows:
        client.send(to=p.email, subject=subject.render(p.variables()), contents=[body.render(p.variables())])
    client.close()
    return time.perf_counter() - start


def redmail_send(target: Target, rows: list[Person], work: Path) -> float:
    """red-mail's EmailSender.send with its own Jinja rendering of html and subject variables."""
    from redmail import EmailSender

    start = time.perf_counter()
    sender = EmailSender(host="127.0.0.1", port=target.port, username=USER if target.secure else None,
                         password=PASSWORD if target.secure else None, use_starttls=target.secure)
    subject = _env().from_string(SUBJECT)
    for p in rows:
        sender.send(subject=subject.render(p.variables()), sender=f"{SENDER_NAME} <{SENDER_EMAIL}>",
                    receivers=[p.email], html=TEMPLATE_HTML, body_params=p.variables())
    return time.perf_counter() - start


def _outreach_config(target: Target, work: Path, connections: int) -> Path:
    templates = write_outreach_template(work / "templates")
    smtp = (f'security = "starttls"\nusername = "{USER}"\nca_file = "{target.ca_file}"\n' if target.secure
            else 'security = "none"\n')
    config = work / "config.toml"
    config.write_text(f'[sender]\nname = "{SENDER_NAME}"\nemail = "{SENDER_EMAIL}"\n'
                      f'[smtp]\nhost = "127.0.0.1"\nport = {target.port}\n{smtp}'
                      f'[send]\nrate_per_minute = 0\nconnections = {connections}\n'
                      f'[templates]\ndirs = ["{templates}"]\n', encoding="utf-8")
    return config


def outreach_cli(connections: int = 1) -> Callable[[Target, list[Person], Path], float]:
    """``outreach send`` as a subprocess: validate, render HTML + text, journal, send."""

    def case(target: Target, rows: list[Person], work: Path) -> float:
        config = _outreach_config(target, work, connections)
        contacts = write_csv(work / "contacts.csv", rows)
        env = {**os.environ, "OUTREACH_CONFIG": str(config), "OUTREACH_HOME": str(work / "home"),
               "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring", "XDG_DATA_HOME": str(work / "xdg")}
        exe = Path(sys.executable).with_name("outreach")
        if target.secure:
            subprocess.run([str(exe), "login", "--password-stdin"], input=PASSWORD + "\n", text=True, env=env,
                           check=True, capture_output=True)
        start = time.perf_counter()
        subprocess.run([str(exe), "send", "bench-intro", "--contacts", str(contacts), "--json"], env=env,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start

    return case


def outreach_api(connections: int = 1) -> Callable[[Target, list[Person], Path], float]:
    """The same pipeline called from Python: queue_batch + send_batch with a store."""

    def case(target: Target, rows: list[Person], work: Path) -> float:
        from outreach import Contact, Recipient, Renderer, Sender, SmtpTransport, Store, queue_batch, send_batch

        templates = write_outreach_template(work / "templates")
        start = time.perf_counter()
        store = Store(work / "api.sqlite3")
        recipients = [Recipient(Contact(email=p.email, name=f"{p.first_name} {p.last_name}", company=p.company,
                                        position=p.position), p.variables()) for p in rows]
        keys = queue_batch("bench-intro", recipients, store=store, sender=Sender(SENDER_NAME, SENDER_EMAIL),
                           renderer=Renderer([templates]))
        transport = SmtpTransport("127.0.0.1", target.port, security="starttls" if target.secure else "none",
                                  username=USER if target.secure else "", password=lambda: PASSWORD,
                                  ca_file=Path(target.ca_file) if target.secure else None)
        summary = send_batch(keys, transport, store, connections=connections)
        assert summary.ok, summary.counts
        store.close()
        return time.perf_counter() - start

    return case


def fresh_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="outreach-bench-"))
