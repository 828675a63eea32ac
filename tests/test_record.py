"""``outreach.record`` makes classes as ``dataclasses`` does: the same fields, defaults, init, repr, eq and hash."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outreach.config import Config, ImapConfig, SmtpConfig, TargetsConfig
import outreach
from outreach.record import field, mutable_record, record, replace
from outreach.store.db import JournalEntry, JournalState
from outreach.store.plans import EventRow, TargetRow
from outreach.store.schema import Migration
from outreach.targets.events import EventImport

RECORDS = [Config, SmtpConfig, ImapConfig, TargetsConfig, JournalEntry, JournalState, EventRow, TargetRow, Migration,
           EventImport]
# Every public class made a record (embedding tools use them as they would dataclasses).
RECORDS += [cls for name in sorted(outreach.__all__) if isinstance(cls := getattr(outreach, name), type)
            and "__record_fields__" in cls.__dict__ and cls not in RECORDS]


def _twin(cls: type) -> type:
    """The same class body made by ``dataclasses``: the specification of a record."""
    namespace: dict[str, object] = {"__annotations__": dict(cls.__annotations__), "__qualname__": cls.__qualname__,
                                    "__module__": cls.__module__}
    for name in cls.__record_fields__:  # type: ignore[attr-defined]
        if name in cls.__record_factories__:  # type: ignore[attr-defined]
            namespace[name] = dataclasses.field(default_factory=cls.__record_factories__[name])  # type: ignore[attr-defined]
        elif name in cls.__dict__:
            namespace[name] = cls.__dict__[name]
    frozen = cls.__record_frozen__  # type: ignore[attr-defined]
    return dataclasses.dataclass(frozen=frozen)(type(cls.__name__, (), namespace))


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_each_record_has_the_fields_and_defaults_its_dataclass_twin_would(cls: type) -> None:
    twin = _twin(cls)
    assert cls.__record_fields__ == tuple(f.name for f in dataclasses.fields(twin))  # type: ignore[attr-defined]
    required = [f.name for f in dataclasses.fields(twin)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    values = {name: f"v-{name}" for name in required}
    ours, theirs = cls(**values), twin(**values)
    assert repr(ours) == repr(theirs)
    for name in cls.__record_fields__:  # type: ignore[attr-defined]
        assert getattr(ours, name) == getattr(theirs, name)
    with pytest.raises(TypeError):
        cls(**values, not_a_field=1)
    if required:
        with pytest.raises(TypeError):
            cls()


VALUES = st.one_of(st.none(), st.integers(), st.text(max_size=5), st.floats(allow_nan=True),
                   st.tuples(st.integers()), st.lists(st.integers(), max_size=2))


@record
class Frozen:
    """A frozen record for the differential tests."""

    a: object
    b: object = 0
    c: list[object] = field(default_factory=list)


@mutable_record
class Mutable:
    """A mutable record for the differential tests."""

    a: object
    b: object = "x"
    c: list[object] = field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class FrozenTwin:
    a: object
    b: object = 0
    c: list[object] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class MutableTwin:
    a: object
    b: object = "x"
    c: list[object] = dataclasses.field(default_factory=list)


@given(a=VALUES, b=VALUES, other=st.tuples(VALUES, VALUES), positional=st.booleans())
def test_init_repr_eq_and_hash_behave_as_dataclasses(a: object, b: object, other: tuple[object, object], positional: bool) -> None:
    for ours, theirs in ((Frozen, FrozenTwin), (Mutable, MutableTwin)):
        x, y = (ours(a, b), theirs(a, b)) if positional else (ours(a=a, b=b), theirs(a=a, b=b))
        assert repr(x).replace(ours.__qualname__, "T") == repr(y).replace(theirs.__qualname__, "T")
        x2, y2 = ours(*other), theirs(*other)
        assert (x == x2) == (y == y2)
        assert (x != x2) == (y != y2)
        assert (x == (a, b, [])) == (y == (a, b, [])) == False  # type: ignore[comparison-overlap]  # noqa: E712
        assert x.c == [] and x.c is not ours(a).c, "each instance has its own default"
        try:
            expected = hash(y)
        except TypeError:
            with pytest.raises(TypeError):
                hash(x)
        else:
            assert hash(x) == expected


def test_a_frozen_record_refuses_changes_and_a_mutable_one_takes_them() -> None:
    frozen, mutable = Frozen(1), Mutable(1)
    with pytest.raises(AttributeError):
        FrozenTwin(1).a = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        frozen.a = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del frozen.a
    mutable.a = 2
    assert mutable == Mutable(2) and mutable != Mutable(1)
    assert copy.copy(frozen) == frozen and copy.deepcopy(Frozen(1, c=[[1]])) == Frozen(1, c=[[1]])
    assert pickle.loads(pickle.dumps(Config(home=Path("/h")))) == Config(home=Path("/h"))


def test_a_required_field_after_a_default_is_refused_as_dataclasses_refuses_it() -> None:
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        @record
        class Bad:
            a: int = 1
            b: int  # type: ignore[misc]
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        @dataclasses.dataclass
        class BadTwin:
            a: int = 1
            b: int  # type: ignore[misc]


@given(a=VALUES, b=VALUES, new_b=VALUES)
def test_replace_copies_a_record_with_changes_as_dataclasses_replace_does(a: object, b: object, new_b: object) -> None:
    for ours, theirs in ((Frozen, FrozenTwin), (Mutable, MutableTwin)):
        x, y = ours(a, b, [1]), theirs(a, b, [1])
        changed, expected = replace(x, b=new_b), dataclasses.replace(y, b=new_b)
        assert repr(changed).replace(ours.__qualname__, "T") == repr(expected).replace(theirs.__qualname__, "T")
        assert changed.c is x.c and expected.c is y.c, "fields not changed are the same objects"
        with pytest.raises(TypeError):
            replace(x, nope=1)
    assert replace(Config(max_followups=3), followup_days=5) == Config(max_followups=3, followup_days=5)
    with pytest.raises(TypeError):
        replace(FrozenTwin(1))


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_the_dataclasses_functions_take_a_record_as_they_take_its_twin(cls: type) -> None:
    twin = _twin(cls)
    assert dataclasses.is_dataclass(cls)
    assert [(f.name, f.type) for f in dataclasses.fields(cls)] == [(f.name, f.type) for f in dataclasses.fields(twin)]
    required = [f.name for f in dataclasses.fields(twin)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    values = {name: f"v-{name}" for name in required}
    ours, theirs = cls(**values), twin(**values)
    assert dataclasses.is_dataclass(ours) and dataclasses.asdict(ours) == dataclasses.asdict(theirs)
    assert dataclasses.astuple(ours) == dataclasses.astuple(theirs)
    name = cls.__record_fields__[0]  # type: ignore[attr-defined]
    changed = dataclasses.replace(ours, **{name: "changed"})
    assert type(changed) is cls and getattr(changed, name) == "changed" and changed == replace(ours, **{name: "changed"})


def test_dataclasses_replace_keeps_a_record_frozen_and_the_config_a_config() -> None:
    config = dataclasses.replace(Config(max_followups=3), followup_days=5)
    assert config == Config(max_followups=3, followup_days=5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.max_followups = 4  # type: ignore[misc]
    assert dataclasses.asdict(Frozen(1, c=[Frozen(2)])) == {"a": 1, "b": 0, "c": [{"a": 2, "b": 0, "c": []}]}


def _fresh() -> tuple[type, type]:
    """A new frozen record and its dataclass twin, nothing asked of either yet."""

    @record
    class Base:
        a: int
        b: str = "x"
        c: list[int] = field(default_factory=list)

    @dataclasses.dataclass(frozen=True)
    class BaseTwin:
        a: int
        b: str = "x"
        c: list[int] = dataclasses.field(default_factory=list)

    return Base, BaseTwin


def test_a_plain_subclass_shares_its_records_fields_even_when_asked_first() -> None:
    for ours in _fresh():
        class Sub(ours):  # type: ignore[valid-type,misc]
            pass

        assert [f.name for f in dataclasses.fields(Sub)] == ["a", "b", "c"]
        assert [f.name for f in dataclasses.fields(ours)] == ["a", "b", "c"]
        made = Sub(1)
        assert dataclasses.asdict(made) == {"a": 1, "b": "x", "c": []}
        changed = dataclasses.replace(made, b="y")
        assert type(changed) is Sub and changed.b == "y"


def test_a_dataclass_may_subclass_a_record_as_it_may_a_dataclass() -> None:
    for ours in _fresh():
        @dataclasses.dataclass(frozen=True)
        class Mine(ours):  # type: ignore[valid-type,misc]
            extra: int = 0

        made = Mine(1, extra=2)
        assert (made.a, made.b, made.c, made.extra) == (1, "x", [], 2)
        assert [f.name for f in dataclasses.fields(Mine)] == ["a", "b", "c", "extra"]
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.extra = 3  # type: ignore[misc]
        assert dataclasses.fields(ours)[0].name == "a"
        assert getattr(ours, "__dataclass_params__").frozen


def test_a_subclass_sets_its_own_attributes_but_not_the_fields_as_with_dataclasses() -> None:
    for ours in _fresh():
        class Tagged(ours):  # type: ignore[valid-type,misc]
            def __init__(self, a: int, tag: str) -> None:
                super().__init__(a)
                self.tag = tag

        made = Tagged(1, "t")
        made.more = 2
        assert (made.a, made.tag, made.more) == (1, "t", 2)
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'a'"):
            made.a = 2
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'z'"):
            ours(1).z = 1


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_a_record_has_the_signature_and_method_names_of_its_dataclass_twin(cls: type) -> None:
    import inspect

    assert str(inspect.signature(cls)) == str(inspect.signature(_twin(cls)))
    for name in ("__repr__", "__eq__"):
        assert getattr(cls, name).__qualname__ == f"{cls.__qualname__}.{name}"


def test_a_subclass_with_its_own_init_has_its_own_signature() -> None:
    import inspect

    base, _ = _fresh()

    class Tagged(base):  # type: ignore[valid-type,misc]
        def __init__(self, a: int, tag: str) -> None:
            super().__init__(a)

    assert str(inspect.signature(Tagged)) == "(a: 'int', tag: 'str') -> 'None'"
    assert str(inspect.signature(base)) == "(a: 'int', b: 'str' = 'x', c: 'list[int]' = <factory>) -> None"
