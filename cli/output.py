"""One output helper for every command: text (Chinese or English) or ``--json`` on stdout; errors
on stderr, naming the rule, with exit code 1."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from datetime import date, datetime
from typing import Any, Callable, Iterator
from uuid import UUID

import click

# Imported by every command, ``show`` first among them: what only some commands need (zoneinfo for
# --as-recorded, decimal for JSON) is imported where it is used, and Settings is a plain class, not a
# dataclass, whose methods the standard library would generate at every start (D50).


class Settings:
    """The invocation's settings: --db, --actor, --lang, --json, and the ledger once opened."""

    def __init__(self, db: str | None = None, actor: str | None = None, lang: str = "zh", json: bool = False, _app: Any = None) -> None:
        self.db, self.actor, self.lang, self.json, self._app = db, actor, lang, json, _app

    def __repr__(self) -> str:
        return f"Settings(db={self.db!r}, actor={self.actor!r}, lang={self.lang!r}, json={self.json!r})"

    def app(self, existing: bool = True) -> Any:
        """The ledger, which must exist: a mistyped path, another program's file or a schema with no
        ledger is refused, nothing created (D57); only ``init`` (cli/init.py) and ``demo`` make one."""
        if self._app is None:
            from ledger.bootstrap import bootstrap

            self._app = bootstrap(self.db, existing=existing)
            from cli import startup_gc

            startup_gc.resume()  # the application imported and open: the collector as it was (D65)
            ctx = click.get_current_context(silent=True)
            if ctx is not None:  # the connections go back when the command ends
                ctx.find_root().call_on_close(self.close)
        return self._app

    def close(self) -> None:
        app, self._app = self._app, None
        if app is not None:
            app.close()

    def t(self, zh: str, en: str) -> str:
        return en if self.lang == "en" else zh


def settings() -> Settings:
    """The settings of this invocation, kept on the root context (defaults from the environment)."""
    root = click.get_current_context().find_root()
    if not isinstance(root.obj, Settings):
        root.obj = env_settings()
    return root.obj


def _default(o: Any) -> Any:
    if isinstance(o, datetime):
        return o.isoformat()
    if isinstance(o, date):
        return o.isoformat()
    if isinstance(o, UUID):
        return str(o)
    if isinstance(o, (set, tuple)):
        return list(o)
    if hasattr(o, "to_dict"):
        return o.to_dict()
    from decimal import Decimal

    if isinstance(o, Decimal):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o)}")


@contextlib.contextmanager
def position_bar(label: str, last: int) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr over the log's positions up to ``last``; yields the
    ``progress(position, last)`` callback that the read-model runner calls."""
    with click.progressbar(length=max(last, 1), label=label, file=sys.stderr, show_pos=True) as bar:
        done = [0]

        def progress(position: int, _last: int) -> None:
            reached = min(position, last)
            bar.update(max(0, reached - done[0]))
            done[0] = max(done[0], reached)

        yield progress
        bar.update(max(0, last - done[0]))


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default)


def emit(data: Any, render: Callable[[Settings], str] | None = None) -> None:
    s = settings()
    if s.json or render is None:
        click.echo(to_json(data))
    else:
        click.echo(render(s))


@contextlib.contextmanager
def refusals() -> Iterator[None]:
    """A refusal exits 1 with the rule on stderr (or as JSON on stdout with --json), also when a
    command runs outside the root group (whose own handler does this for the rest)."""
    from ledger.errors import RuleViolation

    try:
        yield
    except RuleViolation as e:
        refuse(e.rule, e.message_zh, e.message_en)


_JSON_PROCESSED = "certledger_json_processed"  # set on a command's context once its --json option was processed


def json_wanted(argv: list[str] | None = None, failed: Any = None) -> bool:
    """Whether --json was given. The parsed settings say so once the failing command's options were
    processed (``failed``: the context of a usage error; --json is eager, processed before the other
    options, so a missing or bad value of another option leaves it parsed). Only a usage error that
    stopped the parsing before that (an unknown option, an option without its value, the root's own
    options before any context exists) makes the command line's words count (``argv``, before any
    ``--``): there a word ``--json`` may be another option's value, but nothing else tells."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        root = ctx.find_root()
        if isinstance(root.obj, Settings) and root.obj.json:
            return True
        if failed is None or getattr(failed, _JSON_PROCESSED, False):
            return False
    words = list(argv if argv is not None else sys.argv[1:])
    return "--json" in (words[: words.index("--")] if "--" in words else words)


def typed_lang(argv: list[str] | None) -> str | None:
    """The --lang given on the command line (``--lang en`` or ``--lang=en``), for a usage error that
    stopped the parsing before its callback ran; None when not given."""
    words = list(argv or [])
    for k, w in enumerate(words):
        value = w.split("=", 1)[1] if w.startswith("--lang=") else (words[k + 1] if w == "--lang" and k + 1 < len(words) else None)
        if value in ("zh", "en"):
            return value
    return None


def refuse(rule: str, message_zh: str, message_en: str, *, refused: bool = True, exit_code: int = 1,
           lang: str | None = None, as_json: bool | None = None) -> None:
    """End the command on a refusal (a rule said no), an error (the database could not be reached...)
    or a usage error: text on stderr, or with --json one JSON object on stdout (docs/cli.md, "Refusals
    as JSON"); then exit ``exit_code``. Every road that refuses comes here."""
    if lang is None:
        ctx = click.get_current_context(silent=True)
        obj = ctx.find_root().obj if ctx is not None else None
        lang = obj.lang if isinstance(obj, Settings) else env_settings().lang
    message = message_en if lang == "en" else message_zh
    if as_json if as_json is not None else json_wanted():
        from ledger.words import rule_words

        kind = "usage" if rule == "usage" else ("refusal" if refused else "error")
        click.echo(to_json({"refused": True, "kind": kind, "rule": rule, "rule_words": rule_words(rule, lang), "message": message,
                            "message_zh": message_zh, "message_en": message_en, "lang": lang, "exit_code": exit_code}))
    else:
        fail(rule, message, lang, refused=refused)
    raise click.exceptions.Exit(exit_code)


def fail(rule: str, message: str, lang: str, refused: bool = True) -> None:
    """A refusal (a rule said no) or an error (the database could not be reached...) on stderr."""
    label = ("Refused" if lang == "en" else "拒绝") if refused else ("Error" if lang == "en" else "错误")
    from ledger.words import rule_words

    rule_label = "rule" if lang == "en" else "规则"
    click.echo(f"{label}: {message}\n  ({rule_label}: {rule_words(rule, lang)})", err=True)


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--lang, --json and --db on every command, as well as on the root."""

    def set_lang(ctx: click.Context, _p: click.Parameter, value: str | None) -> None:
        if value:
            settings().lang = value

    def set_json(ctx: click.Context, _p: click.Parameter, value: bool) -> None:
        setattr(ctx, _JSON_PROCESSED, True)  # from here on the settings say whether --json was given (json_wanted)
        if value:
            settings().json = True

    def set_db(ctx: click.Context, _p: click.Parameter, value: str | None) -> None:
        if value:
            settings().db = value

    def set_actor(ctx: click.Context, _p: click.Parameter, value: str | None) -> None:
        if value:
            settings().actor = value

    func = click.option("--lang", type=click.Choice(["zh", "en"]), expose_value=False, callback=set_lang, help="Language of the output: zh (default) or en.")(func)
    func = click.option("--json", "as_json", is_flag=True, expose_value=False, callback=set_json, is_eager=True, help="JSON on stdout instead of text.")(func)
    func = click.option("--db", expose_value=False, callback=set_db, metavar="URL", help="Ledger database: a SQLite path or postgresql://… (default: $CERTLEDGER_DB or the default SQLite file).")(func)
    func = click.option("--actor", expose_value=False, callback=set_actor, metavar="NAME", help="Who records this (default: $CERTLEDGER_ACTOR).")(func)
    return func


def env_settings() -> Settings:
    lang = os.environ.get("CERTLEDGER_LANG", "zh")
    return Settings(db=None, actor=os.environ.get("CERTLEDGER_ACTOR"), lang=lang if lang in ("zh", "en") else "zh")


class DateParam(click.ParamType):
    """A business date, YYYY-MM-DD."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date YYYY-MM-DD", param, ctx)


class MomentParam(click.ParamType):
    """A recording moment: ISO date and time; without an offset it is Asia/Shanghai time; a date
    alone means the end of that day."""

    name = "DATETIME"

    def convert(self, value: Any, param: Any, ctx: Any) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            if len(text) == 10:
                moment = datetime.combine(date.fromisoformat(text), datetime.max.time())
            else:
                moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{value!r} is not a moment such as 2026-03-01T17:30 or 2026-03-01T17:30:00+08:00", param, ctx)
        if moment.tzinfo:
            return moment
        from zoneinfo import ZoneInfo

        return moment.replace(tzinfo=ZoneInfo("Asia/Shanghai"))


def as_of_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--as-of DATE and --as-recorded DATETIME, passed as ``as_of`` and ``as_recorded``."""
    func = click.option("--as-recorded", "as_recorded", type=MomentParam(),
                        help="What the ledger had recorded by this moment (ISO date and time; Asia/Shanghai unless an "
                             "offset is given; a date alone means the end of that day): events recorded later are left out.")(func)
    func = click.option("--as-of", "as_of", type=DateParam(),
                        help="As the events dated on or before this business date imply, including events recorded late.")(func)
    return func


class Duration(click.ParamType):
    """An age: a number with d (days), h (hours) or m (minutes); a bare number is days."""

    name = "AGE"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        from datetime import timedelta

        from ledger.config import parse_age

        if isinstance(value, timedelta):
            return value
        try:
            return parse_age(value)
        except ValueError as e:
            self.fail(str(e), param, ctx)

