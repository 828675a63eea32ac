"""Record classes made the way ``@dataclass`` makes them, without importing ``dataclasses``.

The ``dataclasses`` module imports ``inspect`` (and with it ``ast``, ``dis``, ``tokenize``): more
start-up than everything else ``outreach due`` does below the command line. The classes a command
reads at start (the config, the journal's rows, stored events, migrations) are declared with
:func:`record` (frozen) or :func:`mutable_record` instead: annotations are the fields in order,
class values their defaults, ``field(default_factory=...)`` a default made per instance; each
gets a generated ``__init__``, ``__repr__`` and ``__eq__`` (and ``__hash__`` when frozen) as
``@dataclass`` writes them. ``tests/test_record.py`` holds them to ``dataclasses`` itself.
``dataclasses.fields``, ``replace``, ``asdict`` and ``is_dataclass`` take a record too, and a
dataclass may subclass one: its ``__dataclass_fields__``, ``__dataclass_params__`` and
``__signature__`` are made, by ``dataclasses``, the first time something asks for them, and a
frozen record raises ``dataclasses.FrozenInstanceError`` where a frozen dataclass would.
No ``ClassVar``, ``InitVar``, inheritance of fields or ``__post_init__``: a class needing one is a dataclass.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform

__all__ = ["field", "mutable_record", "record", "replace"]

T = TypeVar("T")
C = TypeVar("C", bound=type)
R = TypeVar("R")


class _Factory:
    """The default of a field made per instance."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], object]) -> None:
        self.make = make


def _record_class(owner: type) -> type:
    """The record class ``owner`` is, or inherits from (a plain subclass shares its fields, as with dataclasses)."""
    return next(c for c in owner.__mro__ if "__record_fields__" in c.__dict__)


def _twin(base: type) -> type:
    """The dataclass ``dataclasses`` makes of the record class ``base``, made once and kept on it."""
    twin: type | None = base.__dict__.get("__record_twin__")
    if twin is not None:
        return twin
    import dataclasses

    namespace: dict[str, Any] = {"__annotations__": dict(base.__dict__.get("__annotations__", {})),
                                 "__module__": base.__module__, "__qualname__": base.__qualname__}
    factories: dict[str, Callable[[], object]] = getattr(base, "__record_factories__")
    for name in getattr(base, "__record_fields__"):
        if name in factories:
            namespace[name] = dataclasses.field(default_factory=factories[name])
        elif name in base.__dict__:
            namespace[name] = base.__dict__[name]
    twin = dataclasses.dataclass(frozen=getattr(base, "__record_frozen__"))(type(base.__name__, (), namespace))
    type.__setattr__(base, "__record_twin__", twin)
    return twin


class _FromTwin:
    """``__dataclass_fields__`` or ``__dataclass_params__`` of a record, taken from its twin on first use."""

    def __init__(self, attribute: str) -> None:
        self.attribute = attribute

    def __get__(self, obj: object, owner: type) -> Any:
        base = _record_class(owner)
        value = getattr(_twin(base), self.attribute)
        type.__setattr__(base, self.attribute, value)
        return value


class _Signature:
    """A record class's ``__signature__``: its twin's, as ``inspect.signature`` gives a dataclass's."""

    def __get__(self, obj: object, owner: type) -> Any:
        base = _record_class(owner)
        if obj is not None or owner.__init__ is not base.__init__:  # type: ignore[misc]
            raise AttributeError("__signature__")  # an instance, or a subclass with its own __init__
        import inspect

        return inspect.signature(_twin(base))


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

    for method in (__repr__, __eq__):  # type: Callable[..., object]
        method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
    cls.__init__ = init  # type: ignore[misc]
    cls.__repr__ = __repr__  # type: ignore[assignment]
    cls.__eq__ = __eq__  # type: ignore[assignment]
    setattr(cls, "__match_args__", fields)
    setattr(cls, "__record_fields__", fields)
    setattr(cls, "__record_factories__", factories)
    setattr(cls, "__record_frozen__", frozen)
    setattr(cls, "__dataclass_fields__", _FromTwin("__dataclass_fields__"))
    setattr(cls, "__dataclass_params__", _FromTwin("__dataclass_params__"))
    setattr(cls, "__signature__", _Signature())
    if frozen:
        field_set = frozenset(fields)

        def __hash__(self: Any) -> int:
            return hash(tuple(getattr(self, n) for n in fields))

        def __setattr__(self: Any, name: str, value: object) -> None:
            if type(self) is cls or name in field_set:  # as dataclasses: a subclass may set its own attributes
                from dataclasses import FrozenInstanceError

                raise FrozenInstanceError(f"cannot assign to field {name!r}")
            object.__setattr__(self, name, value)

        def __delattr__(self: Any, name: str) -> None:
            if type(self) is cls or name in field_set:
                from dataclasses import FrozenInstanceError

                raise FrozenInstanceError(f"cannot delete field {name!r}")
            object.__delattr__(self, name)

        for method in (__hash__, __setattr__, __delattr__):  # type: ignore[assignment]
            method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
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
