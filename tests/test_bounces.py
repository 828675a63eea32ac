"""Delivery reports: RFC 3464 DSNs field by field, ARF complaints, and the text notices of common MTAs.

The fixtures are written here, modelled on what Postfix, Exim, qmail, Sendmail, Exchange, Gmail,
Yahoo and Amazon SES send; none is copied from another project.
"""

from __future__ import annotations

from datetime import date
from email import message_from_bytes, policy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outreach.mailbox.bounces import plain_address, read_report
from outreach.mailbox.replies import classify

TODAY = date(2026, 11, 27)
OURS = "<20261120.abc@example.edu>"


def parse(text: str) -> object:
    return message_from_bytes(text.replace("\n", "\r\n").encode("utf-8"), policy=policy.default)


def kind(text: str) -> str:
    return classify(parse(text), TODAY).kind  # type: ignore[arg-type]


def dsn(blocks: str, *, text: str = "Your message could not be delivered.", original: str = "headers",
        sender: str = "MAILER-DAEMON@mx.example.com") -> str:
    attached = {
        "headers": f"Content-Type: text/rfc822-headers\n\nFrom: Sam <sam@example.edu>\nTo: ada@example.com\n"
                   f"Message-ID: {OURS}\nSubject: Hello\n",
        "message": f"Content-Type: message/rfc822\n\nFrom: Sam <sam@example.edu>\nTo: ada@example.com\n"
                   f"Message-ID: {OURS}\nSubject: Hello\n\nHi Ada\n",
    }[original]
    return (f"From: Mail Delivery System <{sender}>\nTo: sam@example.edu\nSubject: Delivery Status Notification\n"
            "Message-ID: <dsn.1@mx.example.com>\nMIME-Version: 1.0\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
            f"--B\nContent-Type: text/plain\n\n{text}\n\n"
            "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.com\n\n"
            f"{blocks}\n\n--B\n{attached}\n--B--\n")


def test_failed_dsn_gives_address_reason_and_original() -> None:
    report = read_report(parse(dsn("Final-Recipient: rfc822; <Ada@Example.COM>\nAction: failed\nStatus: 5.1.1\n"
                                   "Diagnostic-Code: smtp; 550 5.1.1 <ada@example.com>: User unknown")))
    assert report is not None and report.kind == "bounce"
    assert report.recipients == ("ada@example.com",)
    assert report.reason == "550 5.1.1 <ada@example.com>: User unknown"
    assert report.originals == (OURS,)


@pytest.mark.parametrize(("fields", "expected"), [
    ("Final-Recipient: rfc822; ada@example.com\nAction: delayed\nStatus: 4.4.1\nWill-Retry-Until: tomorrow", "delay"),
    ("Final-Recipient: rfc822; ada@example.com\nAction: delivered\nStatus: 2.0.0", "delivered"),
    ("Final-Recipient: rfc822; ada@example.com\nAction: relayed\nStatus: 2.0.0", "delivered"),
    ("Final-Recipient: rfc822; ada@example.com\nAction: expanded\nStatus: 2.0.0", "delivered"),
    ("Final-Recipient: rfc822; ada@example.com\nStatus: 4.2.2", "delay"),
    ("Final-Recipient: rfc822; ada@example.com\nStatus: 5.2.1", "bounce"),
    ("Final-Recipient: rfc822; ada@example.com\nAction: failed\nStatus: 4.4.7", "bounce"),
])
def test_action_and_status_decide(fields: str, expected: str) -> None:
    assert kind(dsn(fields, original="message")) == expected


def test_only_the_failed_recipients_of_a_mixed_dsn_are_named() -> None:
    report = read_report(parse(dsn("Final-Recipient: rfc822; bob@example.com\nAction: delivered\nStatus: 2.0.0\n\n"
                                   "Original-Recipient: rfc822; ada@example.com\nAction: failed\nStatus: 5.2.2")))
    assert report is not None and report.kind == "bounce" and report.recipients == ("ada@example.com",)


@pytest.mark.parametrize(("field", "address"), [
    ("rfc822; <ada@example.com>", "ada@example.com"),
    ("RFC822;ada@EXAMPLE.com", "ada@example.com"),
    ('rfc822; "ada@example.com"', "ada@example.com"),
    ("rfc822; @relay.example.net,@mx.example.org:ada@example.com", "ada@example.com"),
    ("x400; /C=US/ADMD=x/PRMD=y/ rfc822; ada@example.com", "ada@example.com"),
    ("rfc822; |/usr/bin/procmail ada@example.com", "ada@example.com"),
    ('rfc822; <"ada..lovelace"@Example.com>', '"ada..lovelace"@example.com'),
    ('rfc822; "ada"@example.com', "ada@example.com"),
    ("unknown; nothing here", ""),
])
def test_plain_address(field: str, address: str) -> None:
    assert plain_address(field) == address


@given(st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,20}@[a-z0-9]{1,10}\.(com|org|example)", fullmatch=True),
       st.sampled_from(["rfc822; <{}>", "rfc822;{}", "{}", "<{}>", "RFC822; {} (Ada)"]))
def test_plain_address_survives_any_wrapping(address: str, form: str) -> None:
    assert plain_address(form.format(address)) == address.lower()


def test_x_failed_recipients_header_names_the_address() -> None:
    text = ("From: Mail Delivery System <Mailer-Daemon@mx.example.org>\nTo: sam@example.edu\n"
            "Subject: Mail delivery failed: returning message to sender\nX-Failed-Recipients: ada@example.com\n"
            "Auto-Submitted: auto-replied\n\nThis message was created automatically by mail delivery software.\n\n"
            "A message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent "
            "error. The following address(es) failed:\n\n  ada@example.com\n    host mx.example.com [192.0.2.1]\n"
            "    SMTP error from remote mail server after RCPT TO:<ada@example.com>:\n    550 5.1.1 User unknown\n\n"
            "------ This is a copy of the message, including all the headers. ------\n\n"
            f"Return-path: <sam@example.edu>\nFrom: Sam <sam@example.edu>\nTo: ada@example.com\nMessage-ID: {OURS}\n"
            "Subject: Hello\n\nHi Ada\n")
    inc = classify(parse(text), TODAY)  # type: ignore[arg-type]
    assert (inc.kind, inc.bounced) == ("bounce", "ada@example.com")
    assert OURS in inc.references, "the original is found by its Message-ID quoted in the text"


QMAIL = ("From: MAILER-DAEMON@mail.example.org\nTo: sam@example.edu\nSubject: failure notice\n\n"
         "Hi. This is the qmail-send program at mail.example.org.\nI'm afraid I wasn't able to deliver your message "
         "to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n"
         "<ada@example.com>:\n192.0.2.7 does not like recipient.\nRemote host said: 550 5.1.1 <ada@example.com>... "
         "User unknown\nGiving up on 192.0.2.7.\n\n--- Below this line is a copy of the message.\n\n"
         f"Return-Path: <sam@example.edu>\nFrom: sam@example.edu\nTo: ada@example.com\nMessage-ID: {OURS}\n\nHi\n")
SENDMAIL = ("From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\nTo: <sam@example.edu>\n"
            "Subject: Returned mail: see transcript for details\nReturn-Path: <>\n\n"
            "The original message was received at Fri, 20 Nov 2026 10:00:00 +0100\nfrom mail.example.edu\n\n"
            "   ----- The following addresses had permanent fatal errors -----\n<ada@example.com>\n"
            "    (reason: 550 5.1.1 <ada@example.com>... User Unknown)\n\n"
            "   ----- Transcript of session follows -----\n"
            "... while talking to mx.example.com.:\n>>> RCPT To:<ada@example.com>\n<<< 550 5.1.1 User Unknown\n")
GMAIL = ("From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: sam@example.edu\n"
         "Subject: Delivery Status Notification (Failure)\n\n"
         "Delivery to the following recipient failed permanently:\n\n"
         "     ada@example.com\n\nTechnical details of permanent failure:\nThe email account that you tried to reach "
         "does not exist.\n\n----- Original message -----\n\nFrom: Sam <sam@example.edu>\nTo: ada@example.com\n"
         f"Message-ID: {OURS}\nSubject: Hello\n")
EXCHANGE = ("From: postmaster@corp.example.com\nTo: sam@example.edu\nSubject: Undeliverable: Hello\n"
            "Content-Type: text/plain\n\nYour message did not reach some or all of the intended recipients.\n\n"
            "      Subject:  Hello\n      Sent:     20/11/2026 10:00\n\n"
            "The following recipient(s) cannot be reached:\n\n"
            "      'ada@example.com' on 20/11/2026 10:00\n            550 5.1.10 RESOLVER.ADR.RecipientNotFound; "
            "not found\n")
YAHOO = ("From: MAILER-DAEMON@yahoo.com\nTo: sam@example.edu\nSubject: Failure Notice\n\n"
         "Sorry, we were unable to deliver your message to the following address.\n\n<ada@example.com>:\n"
         "Remote host said: 554 delivery error: dd This user doesn't have a yahoo.com account [RCPT_TO]\n\n"
         "--- Below this line is a copy of the message.\n\nFrom: sam@example.edu\nTo: ada@example.com\n")


POSTFIX = ("From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\nTo: sam@example.edu\n"
           "Subject: Undelivered Mail Returned to Sender\n\nThis is the mail system at host mx.example.org.\n\n"
           "I'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n"
           "For further assistance, please send mail to <help@mx.example.org>\n\n"
           "<ada@example.com>: host mx.example.com[192.0.2.5] said: 550 5.1.1\n    <ada@example.com>: Recipient "
           "address rejected: User unknown (in reply to RCPT TO command)\n")


@pytest.mark.parametrize("text", [QMAIL, SENDMAIL, GMAIL, EXCHANGE, YAHOO, POSTFIX],
                         ids=["qmail", "sendmail", "gmail", "exchange", "yahoo", "postfix"])
def test_text_bounces_of_common_mtas(text: str) -> None:
    inc = classify(parse(text), TODAY)  # type: ignore[arg-type]
    assert (inc.kind, inc.bounced) == ("bounce", "ada@example.com")
    assert inc.bounce_reason


def test_a_null_sender_with_bounce_wording_and_attached_original_is_a_bounce() -> None:
    text = ("From: <>\nTo: sam@example.edu\nSubject: Delivery Status\nContent-Type: multipart/mixed; boundary=\"X\"\n\n"
            "--X\nContent-Type: text/plain\n\n  --- The following addresses had delivery problems ---\n"
            "<ada@example.com>   (ada@example.com... No such user)\n\n--X\nContent-Type: message/rfc822\n\n"
            f"From: sam@example.edu\nTo: ada@example.com\nMessage-ID: {OURS}\n\nHi\n--X--\n")
    inc = classify(parse(text), TODAY)  # type: ignore[arg-type]
    assert (inc.kind, inc.bounced, inc.originals) == ("bounce", "ada@example.com", (OURS,))


@pytest.mark.parametrize("text", [
    "From: MAILER-DAEMON@mx.example.org\nTo: sam@example.edu\nSubject: Warning: could not send message for past 4 "
    "hours\n\n    **********************************************\n    **      THIS IS A WARNING MESSAGE ONLY      **\n"
    "    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n\nThe original message was received at Fri\n\n"
    "   ----- Transcript of session follows -----\n<ada@example.com>... Deferred: Connection timed out\n"
    "Warning: message still undelivered after 4 hours\nWill keep trying until message is 5 days old\n",
    "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\nTo: sam@example.edu\n"
    "Subject: Mail delivery failed: returning message to sender\n\nA message that you sent could not be delivered "
    "to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n"
    "  ada@example.com\n    retry timeout exceeded\n",
], ids=["still-trying", "expired-retries"])
def test_delays_and_expired_retries_are_not_bounces(text: str) -> None:
    inc = classify(parse(text), TODAY)  # type: ignore[arg-type]
    assert (inc.kind, inc.bounced) == ("delay", "ada@example.com")


def test_arf_feedback_report_is_a_complaint() -> None:
    text = ("From: Feedback Loop <fbl@isp.example.net>\nTo: sam@example.edu\nSubject: FW: Hello\n"
            'Content-Type: multipart/report; report-type=feedback-report; boundary="F"\n\n'
            "--F\nContent-Type: text/plain\n\nThis is an email abuse report.\n\n"
            "--F\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: FBL/1.0\nVersion: 1\n"
            "Original-Rcpt-To: <ada@example.com>\n\n"
            f"--F\nContent-Type: message/rfc822\n\nFrom: sam@example.edu\nTo: ada@example.com\nMessage-ID: {OURS}\n\n"
            "Hi\n--F--\n")
    inc = classify(parse(text), TODAY)  # type: ignore[arg-type]
    assert (inc.kind, inc.recipients, inc.originals) == ("complaint", ("ada@example.com",), (OURS,))
    assert "abuse" in inc.bounce_reason


def test_amazon_ses_notifications() -> None:
    body = ('{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":'
            '[{"emailAddress":"ada@example.com","diagnosticCode":"smtp; 550 5.1.1 user unknown"}]},'
            '"mail":{"messageId":"0100-abc"}}')
    text = ("From: no-reply@sns.amazonaws.com\nTo: sam@example.edu\nSubject: AWS Notification Message\n"
            "Message-ID: <0100-n@us-west-2.amazonses.com>\n\n" + body)
    inc = classify(parse(text), TODAY)  # type: ignore[arg-type]
    assert (inc.kind, inc.bounced) == ("bounce", "ada@example.com")
    assert kind(text.replace("Bounce", "Delivery")) == "delivered"
    assert kind(text.replace("Permanent", "Transient")) == "delay"


def test_a_human_reply_that_talks_about_delivery_is_a_reply() -> None:
    text = ("From: Ada <ada@example.com>\nTo: sam@example.edu\nSubject: Re: Hello\n"
            f"In-Reply-To: {OURS}\n\nYour first mail could not be delivered to my old address, user unknown there."
            " Happy to talk!\n")
    assert kind(text) == "reply"


def test_a_bounce_without_recipient_or_original_is_still_recognised() -> None:
    text = ("From: MAILER-DAEMON@mx.example.org\nTo: sam@example.edu\nSubject: Undelivered Mail Returned to Sender\n"
            "\nThis is a permanent error; I've given up. Sorry it didn't work out.\n")
    inc = classify(parse(text), TODAY)  # type: ignore[arg-type]
    assert (inc.kind, inc.bounced, inc.originals) == ("bounce", "", ())


HEADER_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=80)


@given(st.dictionaries(st.sampled_from(["From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
                                        "Return-Path", "Auto-Submitted", "Precedence", "List-Id", "Content-Type",
                                        "Content-Transfer-Encoding", "X-Failed-Recipients"]), HEADER_TEXT),
       st.binary(max_size=400))
def test_any_message_is_classified_without_an_exception(headers: dict[str, str], body: bytes) -> None:
    raw = "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode("utf-8", "surrogateescape") + b"\r\n" + body
    inc = classify(message_from_bytes(raw, policy=policy.default), TODAY)  # type: ignore[arg-type]
    assert inc.kind in ("reply", "auto-reply", "bounce", "delay", "delivered", "complaint", "list", "challenge")
    assert not any(ch in inc.subject + inc.bounce_reason for ch in "\x1b\x07\r\n")


@pytest.mark.parametrize("value", ["Fri, 20 Nov 2026 10:00:00", "Mon, 01 Jan 99999 00:00:00 +0000", "yesterday", ""])
def test_dates_without_a_zone_or_out_of_range_are_no_date(value: str) -> None:
    inc = classify(parse(f"From: ada@example.com\nDate: {value}\nSubject: Re: Hello\n\nHi\n"), TODAY)  # type: ignore
    assert inc.received is None


def test_undecodable_text_is_read_as_well_as_it_can_be() -> None:
    text = ("From: MAILER-DAEMON@mx.example.org\nTo: sam@example.edu\nSubject: Undeliverable\n"
            "Content-Type: text/plain; charset=x-no-such-charset\nContent-Transfer-Encoding: base64\n\n"
            "VXNlciB1bmtub3duOiA8YWRhQGV4YW1wbGUuY29tPg==\n")
    inc = classify(parse(text), TODAY)  # type: ignore[arg-type]
    assert (inc.kind, inc.bounced) == ("bounce", "ada@example.com")


def test_a_person_forwarding_a_message_that_mentions_unknown_users_is_no_bounce() -> None:
    text = ("From: Ada <ada@example.com>\nTo: sam@example.edu\nSubject: The mail I told you about\n"
            'Content-Type: multipart/mixed; boundary="X"\n\n--X\nContent-Type: text/plain\n\n'
            "Here it is: they said the user unknown error was on their side.\n\n--X\n"
            "Content-Type: message/rfc822\n\nFrom: it@example.com\nTo: ada@example.com\nSubject: Outage\n\n"
            "Sorry.\n--X--\n")
    assert kind(text) == "reply"


def test_read_receipts_and_success_notices_are_not_replies_or_failures() -> None:
    mdn = ("From: Ada <ada@example.com>\nTo: sam@example.edu\nSubject: Read: Hello\n"
           'Content-Type: multipart/report; report-type=disposition-notification; boundary="M"\n\n'
           "--M\nContent-Type: text/plain\n\nYour message was displayed.\n\n"
           "--M\nContent-Type: message/disposition-notification\n\nFinal-Recipient: rfc822; ada@example.com\n"
           f"Original-Message-ID: {OURS}\nDisposition: manual-action/MDN-sent-manually; displayed\n\n--M--\n")
    assert kind(mdn) == "delivered"
    success = ("From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: sam@example.edu\n"
               "Subject: Delivery Status Notification (Success)\n\nThis is an automatically generated Delivery "
               "Status Notification.\n\nYour message has been successfully relayed to the following recipients, "
               "but the requested delivery status notifications may not be generated by the destination.\n\n"
               "     ada@example.com\n")
    assert kind(success) == "delivered"
