"""The message lint: what a reader would notice in a rendered email, found before it is sent.

Errors make a message read broken, and refuse the batch: an empty slot ("about ?", "Hi ,",
".."), a greeting without a name when the contact has one, a body over the template's word
limit, unbalanced quotes or brackets, a link that goes nowhere, Jinja syntax left in the output,
the same text as the previous message in the thread, a small word written twice ("the the").
Warnings are listed and the batch goes on: a subject starting with a lower-case word, another word
written twice ("Walla Walla" in the contact's own data is not one), a subject over 78 characters, a link without https, wording that spam filters score (modelled on
SpamAssassin rules), a text part that does not read like the HTML part.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import unescape
from typing import TYPE_CHECKING

from ..models import Draft, Sender

if TYPE_CHECKING:
    from ..models import Recipient
    from .render import Renderer

__all__ = ["ERROR", "WARNING", "Finding", "lint_draft", "lint_template", "word_count"]

ERROR, WARNING = "error", "warning"
SUBJECT_LIMIT = 78

_SPACE_BEFORE_MARK = re.compile(r"\S[ \t]+[,.;:!?](?=\s|$)|^[ \t]*[,.;:!?](?=\s|$)", re.M)
# Each alternative starts with its mark, so the engine skips to the marks (``\.(?<!\.\.)\.`` is two dots with no dot
# before them, as ``(?<![.])\.\.`` says).
_DOUBLED = re.compile(r"\.(?<!\.\.)\.(?!\.)|,\s*[,.;]|;\s*[,.;]|\(\s*\)|\[\s*\]|“\s*”")
_GREETING = re.compile(
    r"^(hi|hello|dear|hey|good (?:morning|afternoon|evening))(\s+(?:there|all|everyone))?\s*[,!:]?\s*$", re.I)
_LEFTOVER = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
_EMOTICON = re.compile(r"[:;=](?<!\w[:;=])-?[()](?!\w)")  # no word character before the eyes
_RENDERED_NOTHING = re.compile(r"(?<=[a-z,] )(None|undefined)\b")
_HTTP_TEXT = re.compile(r"\bhttp://\S+")
# The word is taken whole (``++``): a shorter one would be followed by a letter, never by the blank the pattern needs.
_TWICE = re.compile(r"(?<![\w'’-])([^\W\d_]++)(?:[ \t]+|[ \t]*\n[ \t]*)\1(?![\w'’-])", re.I)
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
# The cheap tests that run before a pattern: each holds whenever the pattern could match (``tests/test_lint_fast.py``
# compares the lint with its plain form), so most messages skip the patterns that find nothing in them.
# Every one of the spam phrases holds one of these, written in lower case;
_SPAM_WORDS = ("click here", "act now", "100% free", "free money", "risk", "guarantee", "winner", "urgent",
               "limited time", "cash bonus", "no obligation", "dear friend", "once in a lifetime", "i found you")
# the only letters that IGNORECASE matches with an ASCII letter besides its two cases (found by trying every one).
_ASCII_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_FOLDED = "\u0130\u0131\u017f\u212a"
_MARKS = ",.;:!?"
_BLANK_BEFORE_MARK = tuple(blank + mark for blank in " \t\n" for mark in _MARKS)
_SHOUTING = re.compile(r"[!?]{2,}|!.*!.*!")
_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")
_BRACKETS = {(left, right): re.compile(f"[{re.escape(left + right)}]") for left, right in _PAIRS}


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
    return len(_WORD.findall(text))


_HREF = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def _hrefs(html: str) -> list[str]:
    """The ``href`` of every ``<a>`` in an HTML body, unescaped."""
    return [unescape(next(g for g in m.groups() if g is not None)) for m in _HREF.finditer(html)]


def _context(text: str, start: int, end: int) -> str:
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    line = text[left: right if right >= 0 else len(text)].strip()
    return line if len(line) <= 70 else "..." + text[max(left, start - 30): end + 30].strip() + "..."


def _may_match(pattern: re.Pattern[str], text: str) -> bool:
    """False when ``pattern`` of :func:`_slots` cannot match ``text`` (a blank before a mark, "None"), else True."""
    if pattern is _SPACE_BEFORE_MARK:
        return (text != "" and text[0] in _MARKS) or any(pair in text for pair in _BLANK_BEFORE_MARK)
    if pattern is _RENDERED_NOTHING:
        return "None" in text or "undefined" in text
    return True


def _slots(part: str, text: str, own: str = "", *, bare: str | None = None) -> list[Finding]:
    """Empty slots in ``text``; a "None" that is part of the contact's own data (``own``) is not one.

    ``bare`` is ``text`` with its emoticons already taken out, when the caller has it.
    """
    text = _EMOTICON.sub("\u2063", text) if bare is None else bare
    own_words: set[str] | None = None
    found = []
    for pattern, what in ((_SPACE_BEFORE_MARK, "a blank before punctuation"), (_DOUBLED, "doubled or empty marks"),
                          (_RENDERED_NOTHING, "a value that rendered as nothing")):
        if not _may_match(pattern, text):
            continue
        for m in pattern.finditer(text):
            if pattern is _RENDERED_NOTHING:
                if own_words is None:
                    own_words = set(re.findall(r"\w+", own))
                if m.group(0) in own_words:
                    continue
            found.append(Finding("empty-slot", ERROR, part,
                                 f"{what} (an empty variable?): {_context(text, m.start(), m.end())!r}"))
            break
    return found


def _twice(part: str, text: str, own: str) -> list[Finding]:
    """A word written twice in a row: an error for a small word ("the the"), else a warning; the contact's data is theirs."""
    own_text: str | None = None
    out = []
    for m in _TWICE.finditer(text):
        pair = " ".join(m.group(0).casefold().split())
        if own_text is None:
            own_text = " ".join(own.casefold().split())
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
    pattern = _BRACKETS.get((left, right))
    for ch in pattern.findall(text) if pattern is not None else text:
        if ch == left:
            depth += 1
        elif ch == right:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _balance(part: str, text: str, *, bare: str | None = None) -> list[Finding]:
    """Marks that do not pair up; ``bare`` is ``text`` with its emoticons taken out, when the caller has it
    (into any character that is neither a bracket nor a quote)."""
    bare = _EMOTICON.sub(" ", text) if bare is None else bare
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
    for m in _HTTP_TEXT.finditer(text) if "http://" in text else ():
        if not any(m.group(0).startswith(h) for h in hrefs if h):
            out.append(Finding("http-link", WARNING, "text", f"the link {m.group(0)!r} is not https"))
    return out


def _spammy(subject: str, text: str) -> list[Finding]:
    out = []
    letters = [c for c in subject if c.isalpha()]
    if len(letters) >= 8 and all(c.isupper() for c in letters):
        out.append(Finding("spam-caps", WARNING, "subject", "the subject is all capitals (SpamAssassin SUBJ_ALL_CAPS)"))
    for part, value in (("subject", subject), ("text", text)):
        if (value.count("!") >= 3 or "!!" in value or "!?" in value or "?!" in value or "??" in value) \
                and _SHOUTING.search(value):
            out.append(Finding("spam-marks", WARNING, part, "several exclamation marks read as shouting"))
        folded = (value.translate(_ASCII_FOLD) if any(c in value for c in _FOLDED) else value).lower()
        m = _SPAM_PHRASES.search(value) if any(word in folded for word in _SPAM_WORDS) else None
        if m:
            out.append(Finding("spam-words", WARNING, part, f"{m.group(0)!r} is a phrase spam filters score"))
    return out


def _faithful(html: str, text: str) -> list[Finding]:
    """The text part reads like the HTML part (SpamAssassin's MPART_ALT_DIFF compares the two)."""
    from .plaintext import html_to_text

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
    bare_subject, bare_text = _EMOTICON.sub("\u2063", subject), _EMOTICON.sub("\u2063", text)
    findings += _slots("subject", subject, own, bare=bare_subject) + _slots("text", text, own, bare=bare_text)
    findings += _twice("subject", subject, own) + _twice("text", text, own) + _lower_subject(subject)
    if re.search(r"[:,\-–]$|\b(about|at)\?$", subject.strip(), re.I):
        findings.append(Finding("empty-slot", ERROR, "subject", f"the subject ends in mid-phrase: {subject!r}"))
    findings += _greeting(text, bool(draft.to.name.strip()))
    findings += _balance("subject", subject, bare=bare_subject) + _balance("text", text, bare=bare_text)
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
    from ..errors import TemplateError

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
