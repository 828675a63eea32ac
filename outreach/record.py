"""Record classes made the way ``@dataclass`` makes them, without importing ``dataclasses``.

The ``dataclasses`` module imports ``inspect`` (and with it ``ast``, ``dis``, ``tokenize``): more
start-up than everything else ``outreach due`` does below the command line. The classes a command
reads at start (the config, the journal's rows, stored events, migrations) are declared with
:func:`record` (frozen) or :func:`mutable_record` instead: annotations are the fields in order,
class values their defaults, ``field(default_factory=...)`` a default made per instance; each
gets a generated ``__init__``, ``__repr__`` and ``__eq__`` (and ``__hash__`` when frozen) as
``@dataclass`` writes them. ``tests/test_record.py`` holds them to ``dataclasses`` itself.
``dataclasses.fields``, ``replace``, ``asdict`` and ``is_dataclass`` take a record too: its
``__dataclass_fields__`` are made, by ``dataclasses``, the first time something asks for them.
No ``ClassVar``, ``InitVar``, inheritance of fields or ``__post_init__``: a class needing one is a dataclass.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform

__all__ = ["FrozenRecordError", "field", "mutable_record", "record", "replace"]

T = TypeVar("T")
C = TypeVar("C", bound=type)
R = TypeVar("R")


class FrozenRecordError(AttributeError):
    """A field of a frozen record was assigned or deleted (``dataclasses.FrozenInstanceError`` for records)."""


class _Factory:
    """The default of a field made per instance."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], object]) -> None:
        self.make = make


class _DataclassFields:
    """A record's ``__dataclass_fields__``, made by ``dataclasses`` on first use and kept on the class."""

    def __get__(self, obj: object, owner: type) -> dict[str, Any]:
        import dataclasses

        namespace: dict[str, Any] = {"__annotations__": dict(owner.__dict__.get("__annotations__", {})),
                                     "__module__": owner.__module__, "__qualname__": owner.__qualname__}
        factories: dict[str, Callable[[], object]] = getattr(owner, "__record_factories__")
        for name in getattr(owner, "__record_fields__"):
            if name in factories:
                namespace[name] = dataclasses.field(default_factory=factories[name])
            elif name in owner.__dict__:
                namespace[name] = owner.__dict__[name]
        make = dataclasses.dataclass(frozen=getattr(owner, "__record_frozen__"))
        twin: type = make(type(owner.__name__, (), namespace))
        fields: dict[str, Any] = getattr(twin, "__dataclass_fields__")
        type.__setattr__(owner, "__dataclass_fields__", fields)
        return fields


def field(*, default_factory: Callable[[], T]) -> T:
    """A field whose default is ``default_factory()``, called for each new instance."""
    return _Factory(default_factory)  # type: ignore[return-value]


def _make(cls: C, frozen: bool) -> C:
    names = [n for n in cls.__dict__.get("__annotations__", {})]
    namespace: dict[str, Any] = {"_object_setattr": object.__setattr__}
    params, body, seen_default = [], [], False
    factories: dict[str, Callable[[], object]] = {}
    for name in names:
        default = cls.__dict__.get(name, _Factory)
        if isinstance(default, _Factory):
            namespace[f"_factory_{name}"] = factories[name] = default.make
            namespace["_NEEDS"] = _Factory
            params.append(f"{name}=_NEEDS")
            value = f"_factory_{name}() if {name} is _NEEDS else {name}"
            delattr(cls, name)
            seen_default = True
        elif default is _Factory:
            if seen_default:
                raise TypeError(f"non-default argument {name!r} follows default argument")
            params.append(name)
            value = name
        else:
            namespace[f"_default_{name}"] = default
            params.append(f"{name}=_default_{name}")
            value = name
            seen_default = True
        body.append(f"_object_setattr(self, {name!r}, {value})" if frozen else f"self.{name} = {value}")
    source = f"def __init__(self, {', '.join(params)}):\n    " + ("\n    ".join(body) or "pass") + "\n"
    fields = tuple(names)

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        """Compile the real ``__init__`` on the first instance: a class never made costs no compiling."""
        exec(source, namespace)  # the same generated __init__ that dataclasses writes
        real = namespace["__init__"]
        real.__qualname__ = f"{cls.__qualname__}.__init__"
        cls.__init__ = real  # type: ignore[misc]
        real(self, *args, **kwargs)

    def __repr__(self: Any) -> str:
        return f"{type(self).__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in fields)})"

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return tuple(getattr(self, n) for n in fields) == tuple(getattr(other, n) for n in fields)

    cls.__init__ = init  # type: ignore[misc]
    cls.__repr__ = __repr__  # type: ignore[assignment]
    cls.__eq__ = __eq__  # type: ignore[assignment]
    setattr(cls, "__match_args__", fields)
    setattr(cls, "__record_fields__", fields)
    setattr(cls, "__record_factories__", factories)
    setattr(cls, "__record_frozen__", frozen)
    setattr(cls, "__dataclass_fields__", _DataclassFields())
    if frozen:
        def __hash__(self: Any) -> int:
            return hash(tuple(getattr(self, n) for n in fields))

        def __setattr__(self: Any, name: str, value: object) -> None:
            raise FrozenRecordError(f"cannot assign to field {name!r}")

        def __delattr__(self: Any, name: str) -> None:
            raise FrozenRecordError(f"cannot delete field {name!r}")

        cls.__hash__ = __hash__  # type: ignore[assignment]
        cls.__setattr__ = __setattr__  # type: ignore[assignment]
        cls.__delattr__ = __delattr__  # type: ignore[assignment]
    else:
        cls.__hash__ = None  # type: ignore[assignment]
    return cls


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: C) -> C:
    """Make ``cls`` a frozen record, as ``@dataclass(frozen=True)`` would."""
    return _make(cls, True)


@dataclass_transform(field_specifiers=(field,))
def mutable_record(cls: C) -> C:
    """Make ``cls`` a record whose fields may change, as ``@dataclass`` would."""
    return _make(cls, False)


def replace(obj: R, /, **changes: Any) -> R:
    """A copy of the record ``obj`` with ``changes``, as ``dataclasses.replace`` makes one of a dataclass."""
    fields: tuple[str, ...] = getattr(type(obj), "__record_fields__", ())
    if not hasattr(type(obj), "__record_fields__"):
        raise TypeError("replace() should be called on record instances")
    unknown = set(changes) - set(fields)
    if unknown:
        raise TypeError(f"{type(obj).__qualname__}.__init__() got an unexpected keyword argument {min(unknown)!r}")
    return type(obj)(**{**{name: getattr(obj, name) for name in fields}, **changes})
