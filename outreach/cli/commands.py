"""The table of ``outreach`` commands: name, where it is defined, and its one-line help.

The command group lists commands from here and imports a command's module only when that command
runs (or its own ``--help`` is asked); the fast ``--help`` renders the same rows. No imports here.
"""

from __future__ import annotations

__all__ = ["COMMANDS", "GROUP_HELP"]

GROUP_HELP = """Networking emails for job seekers: intros, follow-ups, thank-yous, check-ins, job updates.

Until [smtp] is configured, `outreach send` is a dry run that writes .eml files to the outbox.
"""

# name -> (module under outreach.cli, attribute, help): the help is the first paragraph of the
# command's docstring (tests/test_startup.py checks that they agree); --help shortens it to fit.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "config": ("config", "config_group", "Check the config file."),
    "contacts": ("contacts", "contacts", "Import, list and edit the contacts you network with."),
    "due": ("threads", "due_cmd",
            "What you owe whom, oldest first, with why: follow-ups, thank-yous, check-ins, job updates."),
    "events": ("targets", "events",
               "Networking events: import the career office's calendar, list it, mark what you attend."),
    "follow-up": ("threads", "follow_up_cmd",
                  "Send every due follow-up as one batch, each in its own thread; safe to re-run."),
    "init": ("account", "init",
             "Create the config file: who you are, as the emails need it (asks on a terminal)."),
    "journal": ("journal", "journal",
                "List the messages in the send journal (what was sent, failed, or is unknown)."),
    "landed": ("threads", "landed_cmd",
               "Record the job you landed: a job-update falls due for everyone who replied or met you."),
    "lint": ("lint", "lint_cmd",
             "Render TEMPLATE for each person and lint it without sending; exit 1 when there are errors."),
    "log": ("threads", "log_cmd",
            "Record one thing that happened with CONTACT off-line: a reply, a meeting, a note, a referral."),
    "login": ("account", "login", "Store the SMTP (or IMAP) password in the OS keyring."),
    "logout": ("account", "logout", "Remove the SMTP (or IMAP) password from the OS keyring."),
    "prep": ("prep", "prep_cmd", "A one-page brief before talking with CONTACT: who, how found, the thread, notes,"
             " questions, reminders."),
    "preview": ("send", "preview",
                "Print the To:, subject, variables and body TEMPLATE would produce, without writing anything."),
    "report": ("targets", "report_cmd", "The week (or the period since DATE) at a glance: the funnel, reply rate,"
               " targets, what is due, the streak."),
    "send": ("send", "send", "Render TEMPLATE for each recipient, check the whole batch, then send it."),
    "sync": ("threads", "sync_cmd", "Read your mailbox over IMAP: replies mark threads replied, bounces and"
             " out-of-office are noted."),
    "targets": ("targets", "targets", "The organisations you want to work for, and who you know at each."),
    "templates": ("lint", "templates_cmd", "List the templates, their kind, and where each comes from."),
    "thread": ("threads", "thread_cmd",
               "Show the latest thread with CONTACT: state, messages and events, oldest first."),
    "threads": ("threads", "threads_cmd", "List conversations with their state, most recently active first."),
}
