"""The mailbox: IMAP access, sync of replies and bounces, and their classification."""
