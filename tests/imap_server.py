"""A real Dovecot IMAP server on 127.0.0.1 for the tests: throw-away config, passwd-file user, TLS."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

USER, PASSWORD = "sam@example.edu", "imap-secret"

CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = outreach-test-{port}
log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
}}
service imap-login {{
  inet_listener imap {{
    port = {starttls_port}
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@dataclass
class Dovecot:
    port: int
    starttls_port: int
    ca_file: Path
    process: subprocess.Popen[bytes]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ready(port: int, ca_file: Path, deadline: float, process: subprocess.Popen[bytes]) -> None:
    """Wait until the server answers with its IMAP greeting over TLS (readiness, not a fixed sleep)."""
    context = ssl.create_default_context(cafile=str(ca_file))
    delay = 0.01
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as raw:
                with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                    if tls.recv(64).startswith(b"* OK"):
                        return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise
            select_wait(delay)
            delay = min(delay * 2, 0.2)


def select_wait(seconds: float) -> None:
    """Block for ``seconds`` on an idle selector between readiness probes."""
    import selectors

    with selectors.DefaultSelector() as sel:
        sel.select(seconds)


def start_dovecot(root: Path) -> Dovecot:
    """Start Dovecot with a configuration of its own under ``root``; fail in CI if it is missing."""
    exe = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("Dovecot is not installed (apt-get install dovecot-imapd); CI must run the IMAP tests")
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca.cert_pem.write_to_path(str(root / "ca.pem"))
    cert.private_key_pem.write_to_path(str(root / "key.pem"))
    cert.cert_chain_pems[0].write_to_path(str(root / "cert.pem"))
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    for sub in ("run", "state", "home"):
        (root / sub).mkdir()
    nobody = 65534 if os.geteuid() == 0 else os.geteuid()
    os.chmod(root, 0o755)
    os.chmod(root / "home", 0o777)
    conf = root / "dovecot.conf"
    failures = []
    for _attempt in range(3):  # a free port can be taken between choosing it and Dovecot binding it
        port, starttls_port = _free_port(), _free_port()
        conf.write_text(CONFIG.format(root=root, port=port, starttls_port=starttls_port, uid=nobody,
                                      gid=65534 if os.geteuid() == 0 else os.getegid()))
        process = subprocess.Popen([exe, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            _ready(port, root / "ca.pem", time.monotonic() + 30, process)
        except OSError:
            process.kill()
            process.wait(10)
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            failures.append(f"{process.stdout.read() if process.stdout else b''!r} {log[-2000:]}")
            continue
        return Dovecot(port=port, starttls_port=starttls_port, ca_file=root / "ca.pem", process=process)
    raise RuntimeError("Dovecot did not start: " + " | ".join(failures))
