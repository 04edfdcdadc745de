"""The ``certledger`` command. Subcommands are imported only when they run, so ``--help`` is fast
and never imports the database stack."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from cli.output import common_options, env_settings, json_wanted, refuse, settings, typed_lang
from cli.registry import EXTRA, GROUP_HELP, available

class Root(click.Group):
    def _catalogue_groups(self) -> dict[str, str]:
        from ledger.commands import COMMANDS

        groups: dict[str, str] = {}
        for c in COMMANDS:
            groups.setdefault(c.group, c.help)
        return groups

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self._catalogue_groups()) | {n for n, (m, _, _) in EXTRA.items() if available(m)})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in EXTRA and available(EXTRA[name][0]):
            module, attr, _ = EXTRA[name]
            return getattr(importlib.import_module(module), attr)
        if name in self._catalogue_groups():
            from cli.writes import build

            return build(name)
        return None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            short = EXTRA[name][2] if name in EXTRA else GROUP_HELP.get(name, "")
            rows.append((name, short))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    argv: list[str] | None = None  # this invocation's words, for --json when a usage error stops the parsing
    rest: list[str] | None = None  # the words left to the subcommand once the root's own options are parsed

    def main(self, args: Any = None, *a: Any, **kw: Any) -> Any:
        self.argv = list(args) if args is not None else sys.argv[1:]
        return super().main(self.argv, *a, **kw)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        self.rest = list(args)
        return super().resolve_command(ctx, args)

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any) -> click.Context:
        words = list(args)  # the parsing consumes ``args``
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.ClickException as e:  # the root's own options: no context is current yet
            if not json_wanted(words):
                raise
            lang = typed_lang(words) or env_settings().lang
            refuse("usage", e.format_message(), e.format_message(), exit_code=e.exit_code, lang=lang, as_json=True)
            raise  # pragma: no cover (refuse exits)

    def invoke(self, ctx: click.Context) -> Any:
        from ledger.errors import RuleViolation

        try:
            return super().invoke(ctx)
        except click.ClickException as e:  # a usage error: click shows it as text, or as JSON with --json
            if not json_wanted(self.rest if self.rest is not None else self.argv, failed=getattr(e, "ctx", None)):
                raise
            refuse("usage", e.format_message(), e.format_message(), exit_code=e.exit_code, lang=typed_lang(self.argv) or settings().lang,
                   as_json=True)
        except RuleViolation as e:
            refusal: tuple[str, str, str] = (e.rule, e.message_zh, e.message_en)
        except Exception as e:  # a value error from a library that names the problem (calendar files...)
            from ledger.errors import database_busy, lock_wait_exceeded, read_only_database, read_only_refusal

            message_zh = getattr(e, "message_zh", None)
            if message_zh is not None:
                refusal = (type(e).__name__, message_zh, e.message_en)  # type: ignore[attr-defined]
            elif lock_wait_exceeded(e):
                busy = database_busy()
                refusal = (busy.rule, busy.message_zh, busy.message_en)
            elif read_only_database(e):  # a standby or a file this user may not write (issue 13)
                ro = read_only_refusal()
                refusal = (ro.rule, ro.message_zh, ro.message_en)
            else:
                raise
        rule, message_zh, message_en = refusal
        refuse(rule, message_zh, message_en, refused=not rule.startswith("ledger: database"))


@click.group(cls=Root, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@common_options
@click.version_option(package_name="certledger")
@click.pass_context
def root(ctx: click.Context) -> None:
    """certledger: the system of record of a certification body (认证机构).

    Every action on a client organisation is an immutable event; grades, certificate status and
    the register are computed from the events. Chinese text by default, English with --lang en.
    """
    settings()


def main() -> None:
    from ledger import dataclass_code

    dataclass_code.install()  # before anything defines the events' dataclasses (D49)
    obj = env_settings()
    try:
        root(prog_name="certledger", obj=obj)
    finally:
        import gc

        # No last collection at exit (about 20 ms of a write command; D49): after gc.freeze() the
        # interpreter's exit frees by reference counting only, so an object caught in a reference
        # cycle is never finalised (a connection's __del__ would not run). What is assumed: every
        # writer is closed explicitly before this point. The ledger of Settings.app() is closed by
        # the root context's call_on_close when click leaves the root context (before main returns
        # or exits), and once more here should that not have run; ``demo`` closes its own ledger the
        # same way, ``init`` closes its own, ``show``'s fast road closes its snapshot in a ``with``.
        # A command that opens anything else must close it itself.
        obj.close()
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
