"""User-facing errors, each turned into one readable line.

A researcher who types ``--set culture.openess=0.5`` or writes ``openness: 1.5`` in a
scenario file should read what is wrong, where, and what is allowed, not a stack of pydantic
internals. :func:`format_validation_error` does that for parameter errors;
:class:`SimulatorError` is the base of the simulator's own user-facing errors, and
:func:`is_user_error` tells the command line which exceptions to report as one line.

Examples
--------
>>> import pydantic
>>> from simulator.params import Params
>>> try:
...     Params().with_updates({"culture.openess": 0.5})
... except pydantic.ValidationError as err:
...     print(format_validation_error(err)[0])
culture.openess = 0.5: unknown parameter; did you mean 'culture.openness'?
"""

from __future__ import annotations

import difflib
import numbers
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, get_args

import pydantic
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from simulator.paramdoc import bounds
from simulator.params import BOOL_NUMBER, MECHANISM_PARAMS, Params, Section, iter_fields

Loc = tuple[int | str, ...]

_TYPES = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "string": "text",
    "str": "text",
    "tuple": "a list",
    "list": "a list",
    "dict": "a section of parameters (a mapping of names to values)",
    "model": "a section of parameters (a mapping of names to values)",
    "none": "null",
}


class SimulatorError(Exception):
    """Base class of errors that a user can fix (bad input, not a bug); one line each."""


class ParameterError(pydantic.ValidationError):
    """A :class:`pydantic.ValidationError` of the parameters that reads as one line per
    problem (:func:`format_validation_error`): what a notebook shows for a bad
    :meth:`Params.with_updates <simulator.params.Params.with_updates>`. ``errors()`` gives
    pydantic's details as usual."""

    def __str__(self) -> str:
        lines = format_validation_error(self)
        if len(lines) == 1:
            return lines[0]
        return f"{len(lines)} problems in the parameters:\n" + "\n".join(f"- {x}" for x in lines)

    @classmethod
    def of(cls, err: pydantic.ValidationError) -> pydantic.ValidationError:
        """``err`` as a :class:`ParameterError` (``err`` itself if pydantic cannot rebuild
        its details)."""
        details: list[Any] = []
        for e in err.errors(include_url=False):
            if e["type"] == "bool_number":  # (a custom type: rebuilt from its template)
                kind = PydanticCustomError("bool_number", BOOL_NUMBER, e.get("ctx"))
                details.append({"type": kind, "loc": e["loc"], "input": e["input"]})
            else:
                details.append(e)
        try:
            return cls.from_exception_data(err.title, details)
        except (TypeError, ValueError, KeyError):
            return err


def is_whole(value: object) -> bool:
    """Whether ``value`` is a whole number (numpy's too; not ``True`` or ``False``)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def did_you_mean(
    value: str, allowed: Iterable[str], *, cutoff: float = 0.6, casefold: bool = True
) -> str | None:
    """The one of ``allowed`` that ``value`` most likely misspells, or ``None``: what a
    message's "did you mean ...?" names.

    A difference of case only comes first (``"POSTER"``: ``"poster"``); then the closest
    match by :func:`difflib.get_close_matches` whose similarity (0 to 1) is at least
    ``cutoff``, as typed and then (``casefold``) ignoring case. ``cutoff=1`` suggests a
    difference of case only.

    >>> did_you_mean("postr", ["poster", "listener"])
    'poster'
    >>> did_you_mean("POSTER", ["poster", "listener"])
    'poster'
    >>> did_you_mean("POSTR", ["poster", "listener"])
    'poster'
    >>> print(did_you_mean("attention", ["poster", "listener"]))
    None
    """
    choices = list(dict.fromkeys(allowed))  # (in order, once each)
    if value in choices:
        return value
    folded = value.casefold()
    if casefold:
        same = [c for c in choices if c.casefold() == folded]
        if same:
            return same[0]
    match = difflib.get_close_matches(value, choices, n=1, cutoff=cutoff)
    if match:
        return match[0]
    if casefold:
        by_folded: dict[str, str] = {}
        for c in choices:
            by_folded.setdefault(c.casefold(), c)
        match = difflib.get_close_matches(folded, list(by_folded), n=1, cutoff=cutoff)
        if match:
            return by_folded[match[0]]
    return None


def is_user_error(exc: BaseException) -> bool:
    """Whether ``exc`` is the user's to fix (reported as one line, no traceback).

    User errors are parameter validation errors, :class:`SimulatorError`, any ``ValueError``
    whose class is defined in, or which was raised from, the ``simulator`` package (such as
    ``OrgChartError``), and operating-system errors naming a file (missing, unreadable).
    """
    if isinstance(exc, pydantic.ValidationError | SimulatorError):
        return True
    if isinstance(exc, OSError):
        return exc.filename is not None
    if isinstance(exc, ValueError):
        if type(exc).__module__.split(".")[0] == "simulator":
            return True
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        package = os.path.dirname(os.path.abspath(__file__))
        return tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename).startswith(
            package + os.sep
        )
    return False


def describe(exc: BaseException, source: str | None = None) -> list[str]:
    """One line per problem in a user error (see :func:`is_user_error`)."""
    if isinstance(exc, pydantic.ValidationError):
        return format_validation_error(exc, source)
    lines = getattr(exc, "lines", None)
    if lines:
        return [" ".join(str(line).split()) for line in lines]
    if isinstance(exc, NotADirectoryError | FileExistsError) and exc.filename is not None:
        path = Path(exc.filename)
        blocking = next((p for p in (path, *path.parents) if p.is_file()), None)
        if blocking is not None:  # (--out under, or at, a file)
            return [f"{path}: cannot be a folder: {blocking} is a file; give another path"]
    if isinstance(exc, OSError) and exc.filename is not None:
        return [f"{exc.filename}: {(exc.strerror or str(exc)).lower()}"]
    return [" ".join(str(exc).split()) or type(exc).__name__]


def format_validation_error(
    err: pydantic.ValidationError,
    source: str | None = None,
    root: type[BaseModel] | None = None,
) -> list[str]:
    """One readable line per error in ``err``.

    Parameters
    ----------
    err : pydantic.ValidationError
        An error from validating :class:`~simulator.params.Params` (or one of its sections).
    source : str, optional
        Where the values came from (a file name, ``--set``); prefixes every line.
    root : pydantic model class, optional
        The model that was validated, when it is not a parameter section (e.g. a scenario).

    Returns
    -------
    list of str
        Lines ``<source>: <dotted.path> = <value!r>: <what is wrong and what is allowed>``.
    """
    model = root or _SECTIONS.get(err.title, Params)
    prefix = f"{source}: " if source else ""
    return [prefix + _line(e, model) for e in err.errors()]


_SECTIONS: dict[str, type[BaseModel]] = {"Params": Params}
for _cls in (*Section.__subclasses__(), *MECHANISM_PARAMS.values()):
    _SECTIONS[_cls.__name__] = _cls


def _line(error: Any, root: type[BaseModel]) -> str:
    if error["type"] == "bool_number":  # raised for the section: the field is in ctx
        ctx = error["ctx"]
        path, _, info = _resolve((*error["loc"], ctx["field"]), root)
        return f"{path} = {ctx['value']}: must be {ctx['kind']}, not true or false{_about(info)}"
    loc: Loc = tuple(error["loc"])
    path, section, info = _resolve(loc, root)
    kind: str = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    where = path or "parameters"
    if kind == "union_tag_invalid" or kind == "union_tag_not_found":
        from simulator.mechanisms import REGISTRY

        tag = ctx.get("tag", value)
        return f"{path}.name = {tag!r}: unknown mechanism; must be one of {', '.join(REGISTRY)}"
    head = where if isinstance(value, dict) or kind == "missing" else f"{where} = {value!r}"
    return f"{head}: {_problem(kind, error, loc, section, info)}"


def _problem(
    kind: str, error: Any, loc: Loc, section: type[BaseModel] | None, info: FieldInfo | None
) -> str:
    ctx = error.get("ctx") or {}
    about = _about(info)
    is_param = section is not None and issubclass(section, Section | Params)
    if kind == "extra_forbidden":
        return f"unknown {'parameter' if is_param else 'key'}" + _suggest(loc, section)
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        allowed = _bounds(info) if info is not None else None
        if allowed is None:
            allowed = error["msg"].replace("Input should be", "must be")
        return f"{allowed}{about}"
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        choices = [c.strip(" '") for c in expected.replace(" or ", ", ").split(",")]
        if len(choices) > 8:  # e.g. every parameter path: suggest rather than list
            match = did_you_mean(str(error.get("input")), choices, cutoff=0.5)
            hint = f"did you mean {match!r}?" if match else "see 'orgsim params'"
            return f"not one of the {len(choices)} allowed values; {hint}{about}"
        match = did_you_mean(str(error.get("input")), choices)
        hint = f"; did you mean {match!r}?" if match else ""
        return f"must be one of {expected}{hint}{about}"
    if kind == "missing":
        if info is not None and _section_of(info.annotation) is not None and not is_param:
            return "required section missing"
        return f"required {'parameter' if is_param else 'key'} missing"
    if kind.endswith(("_type", "_parsing", "_from_float")):
        name = _TYPES.get(kind.split("_")[0])
        if name is not None:
            expected = name
            inner = _section_of(info.annotation) if info is not None else None
            if kind == "model_type" and inner is not None:
                expected += f" with keys {', '.join(inner.model_fields)}"
            nullable = info is not None and type(None) in get_args(info.annotation)
            if nullable and not isinstance(loc[-1], int):  # (not an item of such a field)
                expected += ', or "none"'
            return f"must be {expected}{about}"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    return f"{error['msg'][0].lower()}{error['msg'][1:]}{about}"


def _resolve(
    loc: Loc, root: type[BaseModel]
) -> tuple[str, type[BaseModel] | None, FieldInfo | None]:
    """Dotted path of ``loc``, the section holding its last key, and that key's field."""
    parts: list[str] = []
    model: type[BaseModel] | None = root
    info: FieldInfo | None = None
    section: type[BaseModel] | None = root
    i = 0
    while i < len(loc):
        key = loc[i]
        if isinstance(key, int):
            parts[-1:] = [f"{parts[-1]}[{key}]"] if parts else [f"[{key}]"]
            i += 1
            continue
        section = model
        info = model.model_fields.get(key) if model is not None else None
        parts.append(key if key.isidentifier() else repr(key))
        i += 1
        if info is None:
            model = None
        elif key == "mechanism" and model is Params:
            tag = loc[i] if i < len(loc) else None
            model = MECHANISM_PARAMS.get(str(tag))
            if model is not None:
                i += 1  # pydantic's variant tag: not part of the path
        else:
            model = _section_of(info.annotation)
    return ".".join(parts), section, info


def _section_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _suggest(loc: Loc, section: type[BaseModel] | None) -> str:
    """``"; did you mean 'a.b'?"`` for the closest valid key, else the valid keys."""
    path, _, _ = _resolve(loc[:-1], Params) if len(loc) > 1 else ("", None, None)
    key = str(loc[-1])
    mechanism = section in MECHANISM_PARAMS.values()
    keys = [k for k in section.model_fields if not (mechanism and k == "name")] if section else []
    match = did_you_mean(key, keys)
    if match:
        return f"; did you mean {(path + '.' if path else '') + match!r}?"
    if section in MECHANISM_PARAMS.values():
        owners = [n for n, cls in MECHANISM_PARAMS.items() if key in cls.model_fields]
        if owners:
            return f"; it belongs to mechanism {', '.join(owners)} (set mechanism.name)"
    by_leaf: dict[str, list[str]] = {}
    for leaf_path, _ in iter_fields():
        if "[" not in leaf_path:
            by_leaf.setdefault(leaf_path.rsplit(".", 1)[-1], []).append(leaf_path)
    match = did_you_mean(key, by_leaf, cutoff=0.8)
    if match:
        return f"; did you mean {' or '.join(repr(p) for p in by_leaf[match])}?"
    if keys:
        return f"; valid keys{' of ' + path if path else ''}: {', '.join(keys)}"
    return ""


def _about(info: FieldInfo | None) -> str:
    """``" (Label, unit)"`` from the field's ``json_schema_extra``, or ``""``."""
    extra = info.json_schema_extra if info is not None else None
    if not isinstance(extra, dict) or not extra.get("label"):
        return ""
    unit = extra.get("unit")
    return f" ({extra['label']}, {unit})" if unit else f" ({extra['label']})"


def _bounds(info: FieldInfo) -> str | None:
    """``"must be between 0 and 1"`` (or one-sided, or exclusive) from the field's bounds."""
    lo, lo_open, hi, hi_open = bounds(info)
    if lo is not None and hi is not None and not (lo_open or hi_open):
        return f"must be between {number(lo)} and {number(hi)}"
    parts = []
    if lo is not None:
        parts.append(f"{'greater than' if lo_open else 'at least'} {number(lo)}")
    if hi is not None:
        parts.append(f"{'less than' if hi_open else 'at most'} {number(hi)}")
    return "must be " + " and ".join(parts) if parts else None


def number(x: Any) -> str:
    """A bound as people write it: ``1`` not ``1.0``, ``5000000`` not ``5e+06``."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return str(x)


def a_type(value: object) -> str:
    """What kind of thing ``value`` is, in words: ``a list``, ``an OrgModel``, ``None``."""
    if value is None:
        return "None"
    name = type(value).__name__
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


class SweepInterruptedError(Exception):
    """A sweep stopped with Ctrl-C (or SIGTERM): what is on disk, and that running it again
    resumes; ``code`` is the exit code the shell expects, 128 plus the signal's number."""

    def __init__(
        self, saved: int, planned: int, folder: Path, report: bool = False, code: int = 130
    ) -> None:
        self.code = code
        then = (
            f"; 'orgsim report {folder}' writes the report"
            if report
            else "; run the same command again to resume"
        )
        where = " while writing the report" if report else ""
        if saved == 0 and not report:  # (stopped while starting: nothing to resume yet)
            super().__init__("interrupted before any run was saved; run the same command again")
            return
        super().__init__(
            f"interrupted{where}: {saved:,} of {planned:,} runs are saved in {folder}{then}"
        )


__all__ = [
    "SimulatorError",
    "SweepInterruptedError",
    "describe",
    "did_you_mean",
    "format_validation_error",
    "is_user_error",
    "number",
]
