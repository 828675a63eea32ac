"""The public API: every exported name resolves, and the export list and the lazy table agree."""

from __future__ import annotations

import importlib

import outreach


def test_all_and_the_lazy_table_name_the_same_things() -> None:
    assert sorted(outreach.__all__) == sorted(outreach._LAZY)


def test_every_exported_name_resolves() -> None:
    fresh = importlib.reload(outreach)
    for name in fresh.__all__:
        assert getattr(fresh, name) is not None, name


def test_version_is_single_sourced() -> None:
    from importlib.metadata import version

    assert version("outreach") == outreach.__version__
