"""Shared fixtures: an isolated data dir and config, a test keyring, real SMTP servers on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import tempfile
import ssl
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
import trustme
from hypothesis import settings
from keyring.backend import KeyringBackend

sys.path.insert(0, str(Path(__file__).parent))

# No per-example deadline: a loaded CI machine must not turn a slow example into a failure.
# In CI the examples are derandomised, so a run is repeatable; locally they explore afresh.
settings.register_profile("local", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "local")

from imap_server import Dovecot, start_dovecot  # noqa: E402
from smtp_server import Sink, start_server  # noqa: E402

from outreach import Renderer, Sender  # noqa: E402


class MemoryKeyring(KeyringBackend):
    """A keyring backend that lives in a dict: set for every test through keyring's public API."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every test gets an empty in-memory keyring; the real OS keyring is never touched."""
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """OUTREACH_HOME and OUTREACH_CONFIG in a temporary folder for every test."""
    home = tmp_path / "home"
    monkeypatch.setenv("OUTREACH_HOME", str(home))
    monkeypatch.setenv("OUTREACH_CONFIG", str(tmp_path / "config.toml"))
    return home


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """A config with a sender and no [smtp]: the dry-run default."""
    path = tmp_path / "config.toml"
    path.write_text('[sender]\nname = "Sam Rivera"\nemail = "sam@example.edu"\nabout = "a data science student"\n',
                    encoding="utf-8")
    return path


@pytest.fixture
def sender() -> Sender:
    return Sender(name="Sam Rivera", email="sam@example.edu")


@pytest.fixture
def renderer() -> Renderer:
    return Renderer()


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    """A throw-away certificate authority for the TLS servers."""
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(scope="session")
def server_ssl_context(ca: trustme.CA) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(ctx)
    return ctx


@pytest.fixture
def sink() -> Sink:
    return Sink()


@pytest.fixture
def plain_server(sink: Sink) -> Iterator[tuple[Sink, int]]:
    """A plain SMTP server without TLS or AUTH (a local relay)."""
    controller = start_server(sink)
    yield sink, controller.port
    controller.stop()


@pytest.fixture
def starttls_server(sink: Sink, server_ssl_context: ssl.SSLContext) -> Iterator[tuple[Sink, int]]:
    """STARTTLS required before AUTH; AUTH required before mail."""
    controller = start_server(sink, tls_context=server_ssl_context, require_starttls=True, auth=True)
    yield sink, controller.port
    controller.stop()


@pytest.fixture
def ssl_server(sink: Sink, server_ssl_context: ssl.SSLContext) -> Iterator[tuple[Sink, int]]:
    """Implicit TLS (port 465 style) with AUTH required."""
    controller = start_server(sink, ssl_context=server_ssl_context, auth=True)
    yield sink, controller.port
    controller.stop()


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A Dovecot IMAP server of its own on 127.0.0.1, with TLS and one user."""
    root = Path(tempfile.mkdtemp(prefix="outreach-dovecot-"))
    server = start_dovecot(root)
    yield server
    server.process.terminate()
    server.process.wait(10)
    shutil.rmtree(root, ignore_errors=True)
