"""The message lint as it was before its patterns were given cheap tests to run first (2026-11-27): the
reference ``tests/test_lint_fast.py`` holds ``outreach.compose.lint`` to. Do not change it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import unescape
from typing import TYPE_CHECKING

from outreach.models import Draft, Sender

if TYPE_CHECKING:
    from outreach.models import Recipient
    from outreach.compose.render import Renderer

__all__ = ["ERROR", "WARNING", "Finding", "lint_draft", "lint_template", "word_count"]

ERROR, WARNING = "error", "warning"
SUBJECT_LIMIT = 78

_SPACE_BEFORE_MARK = re.compile(r"\S[ \t]+[,.;:!?](?=\s|$)|^[ \t]*[,.;:!?](?=\s|$)", re.M)
_DOUBLED = re.compile(r"(?<![.])\.\.(?!\.)|,\s*[,.;]|;\s*[,.;]|\(\s*\)|\[\s*\]|“\s*”")
_GREETING = re.compile(
    r"^(hi|hello|dear|hey|good (?:morning|afternoon|evening))(\s+(?:there|all|everyone))?\s*[,!:]?\s*$", re.I)
_LEFTOVER = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
_EMOTICON = re.compile(r"(?<!\w)[:;=]-?[()](?!\w)")
_RENDERED_NOTHING = re.compile(r"(?<=[a-z,] )(None|undefined)\b")
_HTTP_TEXT = re.compile(r"\bhttp://\S+")
_TWICE = re.compile(r"(?<![\w'’-])([^\W\d_]+)(?:[ \t]+|[ \t]*\n[ \t]*)\1(?![\w'’-])", re.I)
# Small words a template writes around a variable: written twice, they are a slip ("in the the State University").
_SMALL_WORDS = frozenset({"a", "an", "the", "to", "of", "in", "at", "on", "for", "and", "or", "with", "by", "from",
                          "about", "as", "is", "are", "was", "i", "i'm", "me", "my", "you", "your", "we", "our", "it",
                          "this", "be", "would", "will", "if", "but", "so", "not"})
# Doubled words that are good English.
_GOOD_TWICE = frozenset({"had had", "that that"})
_REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv|tr)\s*:\s*)+", re.I)
_PAIRS = (("(", ")"), ("[", "]"), ("{", "}"), ("“", "”"), ("«", "»"))
_SPAM_PHRASES = re.compile(
    r"\b(click here|act now|100% free|free money|risk[- ]free|guaranteed?|winner|urgent(ly)?|limited time|"
    r"cash bonus|no obligation|dear friend|once in a lifetime|i found you)\b", re.I)


@dataclass(frozen=True)
class Finding:
    """One thing the lint found in one message: its code, severity, where it is and what it says."""

    code: str
    severity: str
    part: str
    message: str

    @property
    def error(self) -> bool:
        """True when this finding refuses the batch."""
        return self.severity == ERROR

    def as_json(self) -> dict[str, str]:
        """A JSON-ready dict, the shape ``--json`` prints."""
        return {"code": self.code, "severity": self.severity, "part": self.part, "message": self.message}

    def __str__(self) -> str:
        return f"{self.severity} [{self.code}] in the {self.part}: {self.message}"


def word_count(text: str) -> int:
    """Words in a body as a reader counts them (runs of letters or digits)."""
    return len(re.findall(r"[^\W_]+(?:['’.-][^\W_]+)*", text))


_HREF = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def _hrefs(html: str) -> list[str]:
    """The ``href`` of every ``<a>`` in an HTML body, unescaped."""
    return [unescape(next(g for g in m.groups() if g is not None)) for m in _HREF.finditer(html)]


def _context(text: str, start: int, end: int) -> str:
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    line = text[left: right if right >= 0 else len(text)].strip()
    return line if len(line) <= 70 else "..." + text[max(left, start - 30): end + 30].strip() + "..."


def _slots(part: str, text: str, own: str = "") -> list[Finding]:
    """Empty slots in ``text``; a "None" that is part of the contact's own data (``own``) is not one."""
    text = _EMOTICON.sub("\u2063", text)
    own_words = set(re.findall(r"\w+", own))
    found = []
    for pattern, what in ((_SPACE_BEFORE_MARK, "a blank before punctuation"), (_DOUBLED, "doubled or empty marks"),
                          (_RENDERED_NOTHING, "a value that rendered as nothing")):
        for m in pattern.finditer(text):
            if pattern is _RENDERED_NOTHING and m.group(0) in own_words:
                continue
            found.append(Finding("empty-slot", ERROR, part,
                                 f"{what} (an empty variable?): {_context(text, m.start(), m.end())!r}"))
            break
    return found


def _twice(part: str, text: str, own: str) -> list[Finding]:
    """A word written twice in a row: an error for a small word ("the the"), else a warning; the contact's data is theirs."""
    own_text = " ".join(own.casefold().split())
    out = []
    for m in _TWICE.finditer(text):
        pair = " ".join(m.group(0).casefold().split())
        if pair in _GOOD_TWICE or pair in own_text:
            continue
        small = m.group(1).casefold() in _SMALL_WORDS
        out.append(Finding("repeated-word", ERROR if small else WARNING, part,
                           f"the word {m.group(1)!r} twice in a row: {_context(text, m.start(), m.end())!r}"))
        break
    return out


def _lower_subject(subject: str) -> list[Finding]:
    """A subject whose first word is all lower case ("the State University connection")."""
    bare = _REPLY_PREFIX.sub("", subject)
    m = re.match(r"\W*([^\W\d_][\w'’-]*)", bare)
    if m is None or not m.group(1).islower():
        return []
    return [Finding("subject-case", WARNING, "subject", f"the subject starts with a lower-case word: {subject!r}")]


def _in_order(text: str, left: str, right: str) -> bool:
    """True when no closing mark comes before its opening one."""
    depth = 0
    for ch in text:
        if ch == left:
            depth += 1
        elif ch == right:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _balance(part: str, text: str) -> list[Finding]:
    bare = _EMOTICON.sub(" ", text)
    out = []
    for left, right in _PAIRS:
        opened, closed = bare.count(left), bare.count(right)
        if opened == closed == 0:
            continue
        if opened != closed or not _in_order(bare, left, right):
            out.append(Finding("unbalanced", ERROR, part,
                               f"unbalanced {left}{right}: {left!r} and {right!r} do not pair up"))
    if bare.count('"') % 2:
        out.append(Finding("unbalanced", ERROR, part, "an odd number of double quotes (\")"))
    return out


def _greeting(text: str, has_name: bool) -> list[Finding]:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    m = _GREETING.match(first)
    if m is None:
        return []
    if m.group(1).lower() == "dear" and not m.group(2):
        return [Finding("empty-slot", ERROR, "text", f"the greeting {first!r} has an empty name")]
    if has_name:
        return [Finding("greeting", ERROR, "text", f"the greeting {first!r} has no name although the contact has one")]
    return []


def _links(html: str, text: str) -> list[Finding]:
    hrefs = _hrefs(html)
    out = []
    for href in hrefs:
        target = (href or "").strip()
        scheme = target.split(":", 1)[0].lower() if ":" in target else ""
        if scheme in ("https", "mailto", "tel"):
            continue
        if scheme == "http":
            out.append(Finding("http-link", WARNING, "html", f"the link {target!r} is not https"))
        else:
            out.append(Finding("bad-link", ERROR, "html", f"the link {target!r} goes nowhere a reader can open"
                                                         " (write it as https://...)"))
    for m in _HTTP_TEXT.finditer(text):
        if not any(m.group(0).startswith(h) for h in hrefs if h):
            out.append(Finding("http-link", WARNING, "text", f"the link {m.group(0)!r} is not https"))
    return out


def _spammy(subject: str, text: str) -> list[Finding]:
    out = []
    letters = [c for c in subject if c.isalpha()]
    if len(letters) >= 8 and all(c.isupper() for c in letters):
        out.append(Finding("spam-caps", WARNING, "subject", "the subject is all capitals (SpamAssassin SUBJ_ALL_CAPS)"))
    for part, value in (("subject", subject), ("text", text)):
        if re.search(r"[!?]{2,}|!.*!.*!", value):
            out.append(Finding("spam-marks", WARNING, part, "several exclamation marks read as shouting"))
        m = _SPAM_PHRASES.search(value)
        if m:
            out.append(Finding("spam-words", WARNING, part, f"{m.group(0)!r} is a phrase spam filters score"))
    return out


def _faithful(html: str, text: str) -> list[Finding]:
    """The text part reads like the HTML part (SpamAssassin's MPART_ALT_DIFF compares the two)."""
    from outreach.compose.plaintext import html_to_text

    ours = set(re.findall(r"\w+", html_to_text(html).casefold()))
    theirs = set(re.findall(r"\w+", text.casefold()))
    if not ours:
        return []
    shared = len(ours & theirs) / len(ours | theirs)
    if shared < 0.9:
        return [Finding("text-differs", WARNING, "text",
                        f"the text part shares only {shared:.0%} of its words with the HTML part"
                        " (SpamAssassin MPART_ALT_DIFF)")]
    return []


def lint_draft(draft: Draft, *, max_words: int | None = None, previous_text: str | None = None,
               own_text: bool = False) -> list[Finding]:
    """Every finding for one rendered message, errors first.

    ``max_words`` is the template's limit, ``previous_text`` the body of the message this one follows
    in its thread, ``own_text`` true when the template writes its text part itself (it is then
    compared with the HTML part).
    """
    subject, text, html = draft.subject, draft.text, draft.html
    findings: list[Finding] = []
    for part, value in (("subject", subject), ("text", text), ("html", html)):
        m = _LEFTOVER.search(value)
        if m:
            findings.append(Finding("template-syntax", ERROR, part,
                                    f"template syntax left in the output: {_context(value, m.start(), m.end())!r}"))
    if not subject.strip():
        findings.append(Finding("empty-slot", ERROR, "subject", "the subject is empty"))
    to = draft.to
    own = " ".join([to.name, to.company, to.position, *map(str, to.fields.values())])
    findings += _slots("subject", subject, own) + _slots("text", text, own)
    findings += _twice("subject", subject, own) + _twice("text", text, own) + _lower_subject(subject)
    if re.search(r"[:,\-–]$|\b(about|at)\?$", subject.strip(), re.I):
        findings.append(Finding("empty-slot", ERROR, "subject", f"the subject ends in mid-phrase: {subject!r}"))
    findings += _greeting(text, bool(draft.to.name.strip()))
    findings += _balance("subject", subject) + _balance("text", text)
    if len(subject) > SUBJECT_LIMIT:
        findings.append(Finding("long-subject", WARNING, "subject",
                                f"the subject has {len(subject)} characters;"
                                f" clients cut it after about {SUBJECT_LIMIT}"))
    words = word_count(text)
    if max_words is not None and words > max_words:
        findings.append(Finding("too-long", ERROR, "text",
                                f"the body has {words} words, over the template's limit of {max_words}"))
    findings += _links(html, text)
    if previous_text is not None and _same(previous_text, text):
        findings.append(Finding("repeated", ERROR, "text",
                                "the same text as the previous message in the thread; say something new"))
    findings += _spammy(subject, text) + (_faithful(html, text) if own_text else [])
    return sorted(findings, key=lambda f: (f.severity != ERROR,))


def _same(a: str, b: str) -> bool:
    def norm(t: str) -> str:
        lines = [line for line in t.splitlines() if line.strip() and not line.lstrip().startswith(">")]
        return " ".join(" ".join(lines).split()).casefold()

    return norm(a) == norm(b)


def lint_template(template: str, recipients: Iterable[Recipient], *, sender: Sender,
                  renderer: Renderer) -> list[tuple[Recipient, Finding]]:
    """Render ``template`` for each recipient and lint it, without sending; a render error is an error finding."""
    from outreach.errors import TemplateError

    source = renderer.template(template)
    out: list[tuple[Recipient, Finding]] = []
    for recipient in recipients:
        try:
            draft = renderer.render(template, recipient.contact, sender, recipient.variables)
        except TemplateError as exc:
            out.append((recipient, Finding("render", ERROR, "template", str(exc))))
            continue
        for finding in lint_draft(draft, max_words=source.info.max_words, own_text=source.text is not None):
            out.append((recipient, finding))
    return out
