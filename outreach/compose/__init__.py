"""Composing messages: render templates, derive plain text, build and check MIME, validate a batch."""
