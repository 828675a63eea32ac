"""Template files: find them (user folders first, then the built-ins), read their front matter, list them.

A template is ``NAME.html``: a TOML front matter between ``+++`` lines (kind, subject, ...), then
the HTML body as Jinja2. An optional ``NAME.txt`` beside it gives the plain-text body. Nothing here
imports Jinja2, so listing templates stays fast.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

from ..errors import TemplateError
from ..models import TemplateInfo, TemplateKind
from ..record import record

__all__ = ["BUILTIN_DIR", "TemplateSource", "check_template_name", "inside", "list_templates", "load_template",
           "parse_template", "search_path"]

FENCE = "+++"
SUFFIX = ".html"
KINDS = tuple(kind.value for kind in TemplateKind)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _builtin_dir() -> Path:
    package = Path(__file__).resolve().parent.parent
    shipped = package / "templates"
    return shipped if shipped.is_dir() else package.parent / "templates"


BUILTIN_DIR = _builtin_dir()


@record
class TemplateSource:
    """A parsed template file: its metadata, the subject source and the body sources."""

    info: TemplateInfo
    subject: str
    html: str
    html_offset: int
    text: str | None


def parse_template(path: Path, source: str = "user") -> TemplateSource:
    """Read a template file's front matter and bodies; errors name the file and line."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"cannot read template {path}: {exc}") from exc
    lines = raw.splitlines(keepends=True)
    if not lines or lines[0].strip() != FENCE:
        raise TemplateError(f"{path}:1: a template starts with a '{FENCE}' line, then TOML front matter")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        raise TemplateError(f"{path}: the front matter has no closing '{FENCE}' line") from None
    try:
        meta = tomllib.loads("".join(lines[1:end]))
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"{path}: front matter is not valid TOML: {exc}") from exc
    subject = meta.get("subject")
    if not isinstance(subject, str) or not subject.strip():
        raise TemplateError(f"{path}: front matter needs a subject = \"...\"")
    kind = meta.get("kind", "other")
    if kind not in KINDS:
        raise TemplateError(f"{path}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    followup = meta.get("followup_days")
    if followup is not None and (not isinstance(followup, int) or followup < 0):
        raise TemplateError(f"{path}: followup_days must be a whole number of days")
    max_words = meta.get("max_words")
    if max_words is not None and (not isinstance(max_words, int) or isinstance(max_words, bool) or max_words < 1):
        raise TemplateError(f"{path}: max_words must be a whole number of words")
    text_path = path.with_suffix(".txt")
    text = None
    if text_path.exists() or text_path.is_symlink():
        confined = inside(path.parent, text_path.name)
        if confined is None:
            raise TemplateError(f"{text_path} points outside the template folder; refusing it")
        text = confined.read_text(encoding="utf-8")
    info = TemplateInfo(
        name=path.name.removesuffix(SUFFIX),
        kind=kind,
        description=str(meta.get("description", "")),
        reply=bool(meta.get("reply", False)),
        followup_days=followup,
        path=path,
        source=source,
        max_words=max_words,
    )
    return TemplateSource(info=info, subject=subject, html="".join(lines[end + 1 :]), html_offset=end + 1, text=text)


def check_template_name(name: str) -> None:
    """Refuse a template name that is a path: names are letters, digits, ``_``, ``-`` and ``.``."""
    if not isinstance(name, str) or not _NAME.match(name) or ".." in name:
        raise TemplateError(f"{name!r} is not a template name: give a name such as intro or coffee-chat, not a path"
                            " (put your templates in a folder listed in [templates] dirs)")


def inside(folder: Path, relative: str) -> Path | None:
    """``folder / relative`` if it is a file whose real path (symlinks resolved) lies inside ``folder``."""
    parts = relative.replace("\\", "/").split("/")
    if relative.startswith(("/", "\\")) or any(p in ("", ".", "..") for p in parts) or ":" in parts[0]:
        return None
    candidate = folder.joinpath(*parts)
    try:
        real = candidate.resolve(strict=True)
        root = folder.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not real.is_relative_to(root) or not real.is_file():
        return None
    return real


def load_template(name: str, dirs: Iterable[Path] = ()) -> TemplateSource:
    """Find template ``name`` in the user folders (in order), then the built-ins."""
    check_template_name(name)
    for folder, source in search_path(dirs):
        if (folder / f"{name}{SUFFIX}").exists() or (folder / f"{name}{SUFFIX}").is_symlink():
            candidate = inside(folder, f"{name}{SUFFIX}")
            if candidate is None:
                raise TemplateError(f"template {name!r} in {folder} points outside the template folder; refusing it")
            return parse_template(candidate, source)
    known = ", ".join(sorted(t.name for t in list_templates(dirs))) or "none"
    raise TemplateError(f"no template named {name!r} (known: {known})")


def list_templates(dirs: Iterable[Path] = (), broken: list[tuple[Path, str]] | None = None) -> list[TemplateInfo]:
    """Every template that can be used, one per name; a user template hides a built-in one.

    With a ``broken`` list, a template that cannot be read is added to it as ``(path, error)`` instead of raising.
    """
    found: dict[str, TemplateInfo] = {}
    failed: set[str] = set()
    for folder, source in search_path(dirs):
        for path in sorted(folder.glob(f"*{SUFFIX}")):
            name = path.name.removesuffix(SUFFIX)
            if name in found or name in failed or not _NAME.match(name) or inside(folder, path.name) is None:
                continue
            try:
                found[name] = parse_template(path, source).info
            except TemplateError as exc:
                if broken is None:
                    raise
                failed.add(name)
                broken.append((path, str(exc)))
    return sorted(found.values(), key=lambda t: t.name)


def search_path(dirs: Iterable[Path]) -> list[tuple[Path, str]]:
    folders = [(Path(d), "user") for d in dirs if Path(d).is_dir()]
    return [*folders, (BUILTIN_DIR, "built-in")]
