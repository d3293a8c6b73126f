"""The CLI's commands, derived from the operation registry: one per client method.

A command's arguments are its method's: the ids are positional, every other keyword argument is
an option whose kind follows from its type and whose help is the method docstring's ``Args:``
entry. Only what cannot be derived is declared here: group names and a few command names.
"""

from __future__ import annotations

import argparse
import functools
import inspect
import json
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import Any, Literal

import attrs

from telnyx_video._converter import STRUCTURE_ERRORS, converter, describe_structure_error
from telnyx_video._operations import Operation, operations
from telnyx_video._query import check_date
from telnyx_video.models import DateFilter
from telnyx_video.pagination import AsyncPaginator
from telnyx_video.types import NotGiven

__all__ = ["GROUPS", "Command", "Option", "arguments_help", "command_of", "commands", "group_help"]

#: The command group of each resource (client attribute), in the order ``--help`` lists them.
GROUPS: dict[str, str] = {
    "rooms": "rooms",
    "room_sessions": "sessions",
    "room_participants": "participants",
    "room_recordings": "recordings",
    "room_compositions": "compositions",
}

#: Command names other than the method's name with dashes (``list_sessions`` is ``sessions``).
NAMES: dict[str, str] = {
    "retrieve": "get",
    "generate_join_client_token": "token",
    "refresh_client_token": "refresh-token",
}

#: Options not spelled ``--`` plus their name: ``--format`` is the CLI's output format.
FLAGS: dict[str, str] = {"format": "--media-format"}

#: Arguments the CLI sets from its own options (``--timeout``, ``--page-size``...).
_OWN = {"timeout", "max_retries", "page_size"}

Kind = Literal["positional", "text", "int", "flag", "toggle", "dates", "ids", "json"]
Output = Literal["list", "item", "deleted", "count", "download"]

#: How a result prints, by the method's return type: a method returning nothing deletes the id
#: it was given, one returning a number counts what it deleted; a paginator is a listing, and
#: anything else prints as itself.
_OUTPUTS: dict[Any, Output] = {type(None): "deleted", int: "count"}


def _argument_type(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse ``type``: ``parse``, with its ``ValueError`` shown as a usage error."""

    @functools.wraps(parse)
    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return convert


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"expected an integer, got {text!r}") from None
    if value < 0:
        raise ValueError(f"expected an integer >= 0, got {text!r}")
    return value


def _structured(flag: str, target: Any) -> Callable[[str], Any]:
    """Parse JSON text into ``target`` (a mapping of models, say) with the SDK's converter."""

    def parse(text: str) -> Any:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{flag} is not valid JSON: {exc}") from None
        if typing.get_origin(target) is Mapping and not isinstance(raw, dict):
            raise ValueError(f"{flag} must be a JSON object")
        try:
            return converter.structure(raw, target)
        except STRUCTURE_ERRORS as exc:
            raise ValueError(f"{flag} is invalid: {describe_structure_error(exc, flag)}") from None

    return parse


def _plain(text: str) -> str:
    """Docstring markup as terminal text: cross-references and code marks dropped."""
    text = re.sub(r"\[`?([^`\]]+)`?\]\[[^\]]*\]", r"\1", text)
    return text.replace("``", "").replace("`", "").replace("%", "%%")


def _summary(doc: str | None) -> str:
    """The first sentence of a docstring, as plain text in argparse's style ("create a room")."""
    text = " ".join(inspect.cleandoc(doc or "").split("\n\n")[0].split())
    sentence = _plain(re.split(r"(?<=\.) ", text, maxsplit=1)[0]).removesuffix(".")
    return sentence[:1].lower() + sentence[1:] if sentence[1:2].islower() else sentence


def arguments_help(doc: str | None) -> dict[str, str]:
    """``name -> help`` from a Google-style docstring's ``Args:`` section, as plain text."""
    found: dict[str, str] = {}
    lines = inspect.cleandoc(doc or "").splitlines()
    if "Args:" not in lines:
        return found
    name = ""
    for line in lines[lines.index("Args:") + 1 :]:
        if not line.startswith(" "):  # a blank line or the next section ends it
            break
        entry = re.fullmatch(r" {4}(\w+)(?: \([^)]*\))?: (.*)", line)
        if entry:
            name = entry[1]
            found[name] = entry[2]
        elif name:
            found[name] += " " + line.strip()
    return {name: _plain(text).rstrip(".") for name, text in found.items()}


def _members(hint: Any) -> list[Any]:
    """The types a union is made of (aliases such as ``DateArg`` flattened), else ``[hint]``."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(hint) for m in _members(arg)]
    return [hint]


@attrs.frozen
class Option:
    """One argument of a command, mapped to the method's argument ``name``.

    ``kind`` says how it is parsed: ``positional`` (an id), ``text``, ``int``, ``flag`` (``--x``
    gives ``True``), ``toggle`` (``--x``/``--no-x``), ``dates`` (``--x``, ``--x-gte``, ``--x-lte``
    combined into a [`DateFilter`][telnyx_video.models.DateFilter]), ``ids`` (one or more
    values, or one of ``literals``), ``json`` (JSON structured into ``target``).
    """

    name: str
    kind: Kind
    help: str
    required: bool = False
    #: ``--clear`` may set it to ``None`` (an explicit JSON null).
    clearable: bool = False
    choices: tuple[str, ...] | None = None
    #: Values that stand for themselves rather than for a one-id list (``"all"``).
    literals: tuple[str, ...] = ()
    target: Any = None

    @property
    def flag(self) -> str:
        """The option string."""
        return FLAGS.get(self.name) or "--" + self.name.replace("_", "-")

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        """Declare this option on ``parser``."""
        if self.kind == "positional":
            parser.add_argument(self.name, metavar=self.name.upper(), help=self.help)
            return
        if self.kind == "dates":
            for suffix, help in (
                ("", self.help),
                ("_gte", "first day of the range (inclusive)"),
                ("_lte", "last day of the range (inclusive)"),
            ):
                flag = self.flag + suffix.replace("_", "-")
                date_type = _argument_type(functools.partial(check_date, name=flag))
                parser.add_argument(
                    flag, dest=self.name + suffix, type=date_type, metavar="YYYY-MM-DD", help=help
                )
            return
        options: dict[str, Any] = {"dest": self.name, "help": self.help}
        if self.kind == "flag":
            options["action"] = "store_true"
        elif self.kind == "toggle":
            options["action"] = argparse.BooleanOptionalAction
        else:
            options["required"] = self.required
            if self.kind == "int":
                options.update(type=_argument_type(_count), metavar="N")
            elif self.kind == "json":
                options.update(
                    type=_argument_type(_structured(self.flag, self.target)), metavar="JSON"
                )
            elif self.kind == "ids":
                options.update(nargs="+", metavar="ID")
            elif self.choices:
                options["choices"] = self.choices
            elif self.name.endswith(("_id", "_url")):
                options["metavar"] = self.name.rpartition("_")[2].upper()
        parser.add_argument(self.flag, **options)

    def value(self, ns: argparse.Namespace) -> Any:
        """The argument's value from parsed arguments, ``None`` when not given."""
        if self.kind == "dates":
            eq, gte, lte = (getattr(ns, self.name + s) for s in ("", "_gte", "_lte"))
            if eq is None and gte is None and lte is None:
                return None
            return DateFilter(eq=eq, gte=gte, lte=lte)
        value = getattr(ns, self.name)
        if self.kind == "flag":
            return True if value else None
        if self.kind == "ids" and len(value or ()) == 1 and value[0] in self.literals:
            return value[0]
        return value


def _option(parameter: inspect.Parameter, hint: Any, help: str) -> Option:
    """The option of one method argument, its kind told by its type."""
    name = parameter.name
    if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
        return Option(name, "positional", help)
    members = _members(hint)
    kinds = [m for m in members if m not in (type(None), NotGiven)]
    common: dict[str, Any] = {
        "required": parameter.default is inspect.Parameter.empty,
        "clearable": type(None) in members and NotGiven in members,
    }
    if DateFilter in kinds:
        return Option(name, "dates", help)
    if kinds == [bool]:
        kind: Kind = "flag" if parameter.default is False else "toggle"
        return Option(name, kind, help, **common)
    if kinds == [int]:
        return Option(name, "int", help, **common)
    if kinds == [str]:
        return Option(name, "text", help, **common)
    enums = [m for m in kinds if isinstance(m, type) and issubclass(m, StrEnum)]
    if enums:
        return Option(name, "text", help, choices=tuple(m.value for m in enums[0]), **common)
    origins = {typing.get_origin(m) for m in kinds}
    if Sequence in origins:
        literals = tuple(
            a for m in kinds if typing.get_origin(m) is Literal for a in typing.get_args(m)
        )
        return Option(name, "ids", help, literals=literals, **common)
    if Mapping in origins:
        (target,) = (m for m in kinds if typing.get_origin(m) is Mapping)
        return Option(name, "json", help, target=target, **common)
    raise TypeError(f"no CLI option for {name}: {hint}")


@attrs.frozen
class Command:
    """One CLI command: ``telnyx-video <group> <name>``, calling its operation's method."""

    group: str
    name: str
    operation: Operation
    help: str
    options: tuple[Option, ...]
    output: Output
    #: What a listing holds (its table columns), ``None`` for other commands.
    item_type: type | None = None

    @property
    def noun(self) -> str:
        """A noun for the records of a listing ("rooms", "sessions"), for progress and hints."""
        return self.group if self.name == "list" else self.name

    @property
    def clearable(self) -> tuple[str, ...]:
        """The options ``--clear`` may set to ``None``."""
        return tuple(o.name for o in self.options if o.clearable)

    def call_args(self, ns: argparse.Namespace) -> tuple[list[Any], dict[str, Any]]:
        """The positional and keyword arguments of the client call."""
        args = [getattr(ns, o.name) for o in self.options if o.kind == "positional"]
        kwargs: dict[str, Any] = {}
        for option in self.options:
            value = option.value(ns) if option.kind != "positional" else None
            if value is not None:
                kwargs[option.name] = value
        for name in getattr(ns, "clear", None) or ():
            kwargs[name] = None
        if self.output == "list" and getattr(ns, "page_size", None) is not None:
            kwargs["page_size"] = ns.page_size
        return args, kwargs


def command_of(op: Operation) -> Command:
    """The command of one operation, derived from its method's signature and docstring."""
    function = op.function
    hints = typing.get_type_hints(function)
    helps = arguments_help(function.__doc__)
    options = tuple(
        _option(parameter, hints[parameter.name], helps.get(parameter.name, ""))
        for parameter in list(inspect.signature(function).parameters.values())[1:]
        if parameter.name not in _OWN
    )
    returns = hints["return"]
    item_type = None
    if typing.get_origin(returns) is AsyncPaginator:
        output: Output = "list"
        (item_type,) = typing.get_args(returns)
    else:
        output = _OUTPUTS.get(returns, "item")
    name = NAMES.get(op.method) or op.method.removeprefix("list_").replace("_", "-")
    return Command(
        GROUPS[op.resource], name, op, _summary(function.__doc__), options, output, item_type
    )


def _download_of(listing: Command) -> Command | None:
    """``download`` next to a listing whose resource downloads media: the listing's filters
    choose the records."""
    if not hasattr(listing.operation.resource_class, "download"):
        return None
    help = f"download the files of the {listing.group} matching the filters (or of the ids given)"
    return attrs.evolve(listing, name="download", help=help, output="download")


@functools.cache
def commands() -> tuple[Command, ...]:
    """Every command, grouped as ``--help`` lists them."""
    order = list(GROUPS)
    derived = [
        command_of(op) for op in sorted(operations(), key=lambda op: order.index(op.resource))
    ]
    downloads = [_download_of(c) for c in derived if c.output == "list"]
    return (*derived, *(c for c in downloads if c is not None))


def group_help(resource: str) -> str:
    """A command group's help: the summary of its resource class's docstring."""
    op = next(op for op in operations() if op.resource == resource)
    return _summary(op.resource_class.__doc__)
