"""The ``certledger`` command. Subcommands are imported only when they run, so ``--help`` is fast
and never imports the database stack."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from cli.output import Settings, common_options, env_settings, fail, settings
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

    def invoke(self, ctx: click.Context) -> Any:
        from ledger.errors import RuleViolation

        try:
            return super().invoke(ctx)
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
        s = ctx.obj if isinstance(ctx.obj, Settings) else env_settings()
        fail(rule, message_en if s.lang == "en" else message_zh, s.lang, refused=not rule.startswith("ledger: database"))
        raise click.exceptions.Exit(1) from None


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
    root(prog_name="certledger", obj=env_settings())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
