"""The ``outreach`` click group: lists its commands from ``cli/commands.py`` and imports one only to run it."""

from __future__ import annotations

import sys
from collections.abc import Iterator, MutableMapping
from importlib import import_module

import click

from .commands import COMMANDS, GROUP_HELP
from .common import EXIT_INTERRUPTED, EXIT_USAGE, echo, fail

__all__ = ["cli", "run"]


class _Commands(MutableMapping[str, click.Command]):
    """The group's commands: every name of the table, each imported on first access."""

    def __init__(self) -> None:
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            if name not in COMMANDS:
                raise KeyError(name)
            module, attribute, _ = COMMANDS[name]
            self._loaded[name] = getattr(import_module(f"{__package__}.{module}"), attribute)
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        raise TypeError("the commands of outreach come from cli/commands.py")

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({*COMMANDS, *self._loaded}))

    def __len__(self) -> int:
        return len({*COMMANDS, *self._loaded})

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS or name in self._loaded


_JSON = "outreach.json"  # set in the context's meta when the command line holds --json


class _Cli(click.Group):
    """The top-level group: commands from the table, loaded when used; refuses arguments that are not text."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.commands = _Commands()

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands section of ``--help``, from the table: no command module is imported for it."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        rows = [(name, click.Command(name, help=COMMANDS[name][2]).get_short_help_str(limit) if name in COMMANDS
                 else self.commands[name].get_short_help_str(limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        from ..compose.controls import SURROGATE, clean

        for arg in args:
            if SURROGATE.search(arg):
                raise click.UsageError(f"the argument {clean(arg)!r} holds bytes that are not valid text"
                                       " in this system's encoding")
        ctx.meta[_JSON] = "--json" in (args[:args.index("--")] if "--" in args else args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; with ``--json``, a usage error is printed as the JSON error object (exit 2)."""
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            if not ctx.meta.get(_JSON):
                raise
            fail(exc.format_message(), EXIT_USAGE, as_json=True)


@click.group(cls=_Cli, help=GROUP_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="outreach")
def cli() -> None:
    """The ``outreach`` command (its help is ``GROUP_HELP``)."""


def run() -> None:
    """Run the click app on ``sys.argv``, as the ``outreach`` console script does."""
    try:
        cli(prog_name="outreach", standalone_mode=False)
    except click.exceptions.Abort:
        echo("\nInterrupted; nothing was left half-written.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            echo(exc.ctx.get_usage(), err=True)
            echo(f"Try '{exc.ctx.command_path} -h' for help.\n", err=True)
        echo(f"Error: {exc.format_message()}", err=True)
        sys.exit(EXIT_USAGE if isinstance(exc, click.UsageError) else exc.exit_code)
