"""Bounds on rendering a template: output size, the size of strings and lists it builds, CPU time.

Templates are shared between people, so one may be hostile. The sandbox keeps it from Python's
internals; this module keeps it from the machine's memory and time: every string or list a template
builds with ``*``, ``**``, ``+``, ``%``, ``~`` or a size-taking filter is checked against
:data:`MAX_OUTPUT` before (or, for ``~``, right after) it is made, the rendered text is counted as it
streams, and a render may use at most ``seconds`` of CPU time.
"""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import jinja2
import jinja2.sandbox
from jinja2.compiler import CodeGenerator, Frame
from jinja2 import nodes

__all__ = ["MAX_OUTPUT", "MAX_SECONDS", "BoundedEnvironment", "Exceeded", "cpu_bound", "collect"]

MAX_OUTPUT = 1_000_000
MAX_SECONDS = 5.0
_WIDTH = re.compile(r"%[-#0 +]*(\*|\d+)(?:\.(\*|\d+))?")


class Exceeded(Exception):
    """A template went past one of the bounds; the message says which."""


class _OutOfTime(BaseException):
    """Raised from the CPU-time signal; a BaseException so that no template-level handler swallows it."""


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else 0


def _too_big(what: str) -> Exceeded:
    return Exceeded(f"{what} would be larger than {MAX_OUTPUT:,} characters")


def _check(value: Any) -> Any:
    if _size(value) > MAX_OUTPUT:
        raise _too_big("a value it builds")
    return value


def _repeat(left: Any, right: Any) -> None:
    for seq, times in ((left, right), (right, left)):
        if _size(seq) and isinstance(times, int) and _size(seq) * times > MAX_OUTPUT:
            raise _too_big("a repeated string or list")


def _power(left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
        if max(abs(left).bit_length() - 1, 1) * right > 8 * MAX_OUTPUT:
            raise _too_big("a power")


def _format(left: Any, right: Any) -> None:
    if isinstance(left, str):
        for found in _WIDTH.finditer(left):
            for number in found.groups():
                if number == "*" or (number and int(number) > MAX_OUTPUT):
                    raise _too_big("a %-formatted value")


def _sum(left: Any, right: Any) -> None:
    if _size(left) + _size(right) > MAX_OUTPUT:
        raise _too_big("a joined string or list")


_BEFORE: dict[str, Callable[[Any, Any], None]] = {"*": _repeat, "**": _power, "%": _format, "+": _sum}
_WIDE = re.compile(r"\d{7,}")
_NESTED = re.compile(r"\{[^{}]*:[^{}]*\{")


def _format_method(template: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse ``template.format(...)`` when a field's width would pass the bound."""
    if any(int(n) > MAX_OUTPUT for n in _WIDE.findall(template)):
        raise _too_big("a formatted value")
    values = [*args, *kwargs.values()] + (list(args[0].values()) if args and isinstance(args[0], dict) else [])
    if _NESTED.search(template) and any(isinstance(v, int) and abs(v) > MAX_OUTPUT for v in values):
        raise _too_big("a formatted value")


def _bounded_filter(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    """``original`` with its width/count arguments and its result held to the bounds."""

    def bounded(*args: Any, **kwargs: Any) -> Any:
        first = 1 if getattr(original, "jinja_pass_arg", None) else 0  # the context comes before the value
        head, value, rest = args[:first], args[first] if len(args) > first else None, args[first + 1:]
        numbers = [a for a in (*rest, *kwargs.values()) if isinstance(a, int) and not isinstance(a, bool)]
        if name in _WIDTH_FILTERS and any(abs(n) > MAX_OUTPUT for n in numbers):
            raise _too_big(f"the result of |{name}")
        if name == "format":
            _format(value, None)
        if name == "join" and value is not None and not isinstance(value, str):
            value = list(value) if not isinstance(value, (list, tuple)) else value
            if sum(len(str(i)) for i in value[: MAX_OUTPUT + 1]) > MAX_OUTPUT:
                raise _too_big("the result of |join")
            args = (*head, value, *rest)
        return _check(original(*args, **kwargs))

    bounded.__dict__.update(getattr(original, "__dict__", {}))  # keep jinja2's pass_context/pass_environment marks
    return bounded


_WIDTH_FILTERS = ("center", "indent", "wordwrap", "truncate", "batch", "slice")
_SIZED_FILTERS = (*_WIDTH_FILTERS, "join", "format", "replace", "list", "sum", "string")


class _Generator(CodeGenerator):
    """Compiles ``a ~ b`` so that the joined string is checked against the bound."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked_join(")
        super().visit_Concat(node, frame)
        self.write(")")


class BoundedEnvironment(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox with sizes bounded: ``*``, ``**``, ``+``, ``%``, ``~`` and sized filters."""

    intercepted_binops = frozenset(_BEFORE)
    code_generator_class = _Generator

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        for name in _SIZED_FILTERS:
            if name in self.filters:
                self.filters[name] = _bounded_filter(name, self.filters[name])

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        """``left operator right``, refused before it is computed when the result would pass the bound."""
        _BEFORE[operator](left, right)
        return _check(super().call_binop(context, operator, left, right))

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any,  # noqa: N805 (jinja2's signature)
             **kwargs: Any) -> Any:
        """A call from a template (a method such as ``'x'.ljust(n)``), held to the bound."""
        numbers = [a for a in (*args, *kwargs.values()) if isinstance(a, int) and not isinstance(a, bool)]
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, (str, list, tuple)) and any(abs(n) > MAX_OUTPUT for n in numbers):
            raise _too_big(f"the result of .{getattr(__obj, '__name__', 'call')}()")
        return _check(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """jinja2's sandboxed ``str.format``, refusing a field width past the bound before formatting."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        template = str(value.__self__)
        sandboxed = wrapped

        def checked(*args: Any, **kwargs: Any) -> str:
            _format_method(template, args, kwargs)
            return sandboxed(*args, **kwargs)

        return checked

    @staticmethod
    def checked_join(value: Any) -> Any:
        """The result of ``~``, refused when it is past the bound."""
        return _check(value)


def collect(chunks: Iterable[str], limit: int = MAX_OUTPUT) -> str:
    """The rendered text from ``chunks``, stopping with :class:`Exceeded` as soon as it passes ``limit``."""
    out: list[str] = []
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > limit:
            raise Exceeded(f"its output is larger than {limit:,} characters")
        out.append(chunk)
    return "".join(out)


@contextmanager
def cpu_bound(seconds: float) -> Iterator[None]:
    """Raise :class:`Exceeded` when the code inside uses more than ``seconds`` of CPU time (main thread only).

    Elsewhere (another thread, or SIGVTALRM already in use) the output and size bounds still hold.
    """
    usable = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
              and signal.getsignal(signal.SIGVTALRM) in (signal.SIG_DFL, None))
    if not usable:
        yield
        return

    armed = [True]

    def expired(signum: int, frame: object) -> None:
        if armed[0]:
            raise _OutOfTime

    old = signal.signal(signal.SIGVTALRM, expired)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    except _OutOfTime:
        raise Exceeded(f"it ran for more than {seconds:g} seconds of CPU time") from None
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, old)
