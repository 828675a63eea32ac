"""Finding 8: file modes, login and certificate messages, encoded size, consecutive 4xx, plain-text keyrings,
look-alike addresses."""

from __future__ import annotations

import ssl
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MemoryKeyring
from smtp_server import Sink, start_server

from outreach.models import BatchOptions
from outreach import (
    AttachmentError,
    AuthError,
    Contact,
    Draft,
    Recipient,
    Renderer,
    Sender,
    Status,
    Store,
    TransportError,
    ValidationError,
    build_message,
    prepare_batch,
    send_batch,
)
from outreach.cli import cli
from outreach.transports.smtp import SmtpTransport

SENDER = Sender(name="Sam Rivera", email="sam@example.edu")


def test_outbox_files_and_data_folders_are_private(config_file: Path, home: Path) -> None:
    result = CliRunner().invoke(cli, ["send", "intro", "--to", "ada@example.com", "--var", "topic=x"])
    assert result.exit_code == 0, result.output
    [eml] = (home / "outbox").glob("*.eml")
    assert stat.S_IMODE(eml.stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "outbox").stat().st_mode) == 0o700
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


def test_init_writes_a_private_config(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", "--name", "Sam", "--email", "sam@example.edu"])
    assert result.exit_code == 0
    assert stat.S_IMODE((tmp_path / "config.toml").stat().st_mode) == 0o600


class DroppingSink(Sink):
    """Drops the connection on a wrong password instead of answering 535."""

    async def handle_AUTH(self, server, session, envelope, args):  # type: ignore[no-untyped-def]
        server.transport.close()


def test_a_server_that_drops_the_connection_on_login_says_the_login_was_refused() -> None:
    from aiosmtpd.smtp import AuthResult

    def refuse_by_hanging_up(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        server.transport.close()
        return AuthResult(success=False, handled=True)

    controller = start_server(Sink(), authenticator=refuse_by_hanging_up, auth_required=True,
                              auth_require_tls=False)
    try:
        transport = SmtpTransport("127.0.0.1", controller.port, security="none", username="sam",
                                  password=lambda: "wrong", allow_insecure_auth=True, timeout=5)
        with pytest.raises(AuthError) as info:
            transport.open()
    finally:
        controller.stop()
    assert "refused the login" in str(info.value) and "Disconnected" not in str(info.value)


def test_a_certificate_for_another_host_says_so(ca_file: Path, ca) -> None:  # type: ignore[no-untyped-def]
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("mail.example.org").configure_cert(ctx)
    sink = Sink()
    controller = start_server(sink, ssl_context=ctx)
    try:
        transport = SmtpTransport("127.0.0.1", controller.port, security="ssl", ca_file=ca_file, timeout=5)
        with pytest.raises(TransportError) as info:
            transport.open()
    finally:
        controller.stop()
    assert "127.0.0.1" in str(info.value) and "name" in str(info.value)
    assert "ca_file" not in str(info.value)


def test_the_attachment_limit_counts_the_encoded_size(tmp_path: Path) -> None:
    big = tmp_path / "cv.pdf"
    with open(big, "wb") as fh:
        fh.truncate(16 * 1024 * 1024)
    d = Draft(template="intro", to=Contact(email="bob@example.com", name="Bob"), subject="Hi", html="<p>Hi</p>",
              text="Hi\n", attachments=(big,))
    with pytest.raises(AttachmentError) as info:
        build_message(d, SENDER)
    assert "encoded" in str(info.value)


def test_a_batch_stops_retrying_after_consecutive_temporary_failures(tmp_path: Path,
                                                                     plain_server: tuple[Sink, int]) -> None:
    sink, port = plain_server
    store = Store(tmp_path / "s.sqlite3")
    people = [Recipient(Contact(email=f"tempfail451+{i}@example.com", name="P"), {"topic": "x"}) for i in range(8)]
    entries = prepare_batch("intro", people, sender=SENDER, renderer=Renderer(), store=store)
    summary = send_batch(entries, SmtpTransport("127.0.0.1", port, security="none", timeout=5), store,
                         retry_delays=(0.0,), give_up_after=3)
    statuses = [o.status for o in summary.outcomes]
    assert statuses == [Status.DEFERRED] * 8
    tried = [o for o in summary.outcomes if "4.3.0" in o.reply]
    assert len(tried) == 3
    assert all("temporary failures in a row" in o.reply for o in summary.outcomes[3:])
    assert {e.status for e in store.messages()} == {Status.DEFERRED}


class PlaintextKeyring(MemoryKeyring):
    """Stands in for keyrings.alt's file backend: says it keeps passwords in a plain file."""

    stores_plain_text = True


def test_login_warns_when_the_keyring_stores_plain_text(config_file: Path) -> None:
    import keyring

    keyring.set_keyring(PlaintextKeyring())
    result = CliRunner().invoke(cli, ["login", "--username", "sam", "--password-stdin"], input="pw\n")
    assert result.exit_code == 0
    assert "plain text" in result.output and "OS keyring" not in result.output


@pytest.mark.parametrize("address", [
    "bob@ex\u0430mple.com",          # Cyrillic a in the domain
    "\uff42\uff4f\uff42@example.com",  # full-width local part
    "bob@\uff45xample.com",          # full-width letter in the domain
    "b\u043eb@example.com",          # Latin and Cyrillic in the local part
    "bob%evil.example@example.com",  # source routing
    "evil!bob@example.com",
])
def test_look_alike_addresses_are_refused_unless_typo_check_is_off(address: str) -> None:
    batch = [Recipient(Contact(email=address, name="Bob"), {"topic": "x"}, where="row 2")]
    with pytest.raises(ValidationError) as info:
        prepare_batch("intro", batch, sender=SENDER, renderer=Renderer())
    assert "row 2" in str(info.value) and "--no-typo-check" in str(info.value)


def test_a_single_script_international_address_is_accepted() -> None:
    batch = [Recipient(Contact(email="иван@пример.рф", name="Иван"), {"topic": "x"})]
    assert prepare_batch("intro", batch, sender=SENDER, renderer=Renderer())


def test_no_typo_check_lets_a_look_alike_through() -> None:
    batch = [Recipient(Contact(email="bob@ex\u0430mple.com", name="Bob"), {"topic": "x"})]
    assert prepare_batch("intro", batch, sender=SENDER, renderer=Renderer(), options=BatchOptions(typo_check=False))
