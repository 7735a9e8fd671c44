"""The JSON Schema of scenario files, for editors (taplo, VS Code "Even Better TOML", ...).

The schema is derived from the code, never written by hand: the scenario sections from
:class:`simulator.scenario.Scenario`, the parameter tables (``[params]``, ``[arms.<name>]``,
``design.points``) from :class:`simulator.params.Params` with every parameter optional and
unknown keys refused (so typos are flagged as you type), and an axis's ``param`` from
:func:`simulator.params.settable_paths`, with the values and bounds of each parameter checked
against that parameter's type and range. Titles, descriptions, units and defaults come from the
fields. ``scenarios/scenario.schema.json`` is this schema, written by ``python -m
simulator.schema``; a test keeps it current.

The schema checks what an editor can: keys, types, ranges, allowed values, scenario and arm
names, axis values listed once (``uniqueItems`` compares numbers by value, ``1`` equal to
``1.0``, as the code does), and how the design kind and the axes fit together.
:func:`simulator.scenario.load_scenario` stays the authority; it also checks what a schema
cannot express (bounds in order, a parameter swept twice, the run count against
``max_runs``, every combination of parameters).

Examples
--------
>>> schema = scenario_schema()
>>> schema["$schema"]
'https://json-schema.org/draft/2020-12/schema'
>>> "culture.openness" in schema["$defs"]["Axis"]["properties"]["param"]["enum"]
True
>>> schema["$defs"]["OrgParams"]["properties"]["size"]["title"]
'Organisation size'
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from simulator import __version__
from simulator.custom_outcomes import NAME, RESERVED, TAKES
from simulator.design import DRAWS_VALUES, SAMPLED
from simulator.paramdoc import bounds
from simulator.params import MECHANISM_PARAMS, Params, field_info, iter_fields, settable_paths
from simulator.scenario import DESIGNS, NAME_MAX, SERIES_COLUMNS, Scenario
from simulator.selectors import ROLES

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = f"urn:orgsim:scenario-schema:{__version__}"
"""The schema's ``$id`` (a URN: the schema is a file in the repository, not a web page)."""

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "scenarios" / "scenario.schema.json"
"""Where ``python -m simulator.schema`` writes the schema."""

BOUNDS_ONLY = tuple(kind for kind in SAMPLED if kind not in DRAWS_VALUES)
"""Design kinds that sample within bounds only (their axes list no values)."""


def _char_class(chars: Iterable[str]) -> str:
    """The inside of a regex character class holding exactly ``chars``, written as the
    characters themselves (runs as ``a-b``): every regex engine reads those alike, whereas ``\\s``
    means different sets in Python's ``re``, ECMA-262 and Rust, and not every engine reads
    ``\\uXXXX``. (The schema file shows the invisible ones as JSON escapes: :func:`schema_text`.)"""
    codes = sorted({ord(c) for c in chars})
    assert not {"-", "]", "\\", "^"} & {chr(c) for c in codes}, "class syntax"
    runs: list[list[int]] = []
    for code in codes:
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "".join(chr(a) + (f"-{chr(b)}" if b > a else "") for a, b in runs)


SPACES = _char_class(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
"""What ``str.strip()`` removes (``str.isspace``), as a character class: a scenario name may not
begin or end with one."""

FOLDER_NAME_REFUSED = rf"^[.{SPACES}]|[{SPACES}]$|[/\\:]"
"""Matches the scenario names :class:`simulator.scenario.Header` refuses, bar the length: a
leading dot or space, a trailing space, or ``/``, ``\\`` or ``:`` anywhere. The schema says
``not`` this pattern: written positively (``^...$``), the name would pass with a trailing line
break in Python, whose ``$`` also matches before a final newline."""

ARM_NAME_REFUSED = r"[^\w-]|^[_-]*$"
"""Matches the arm names :class:`simulator.scenario.Scenario` refuses, bar the length: a
character other than a letter, digit, ``-`` or ``_``, or no letter or digit at all (``__``, or
the empty name). In Python's ``re``, ``\\w`` is exactly ``str.isalnum()`` or ``_``, the code's
rule; in ECMA-262 (VS Code) it is ASCII only, so there arm names with other letters (``café``)
are flagged although the code takes them."""

SELECTOR = (
    r"^\s*(all|level\s*=\s*\d+|levels\s*=\s*\d+-\d+|role\s*=\s*("
    + "|".join(ROLES)
    + r")|(all|unit|title|ids)\s*=\s*\S[\s\S]*)\s*$"
)
"""Strategy-rule selectors, exactly as loose as :func:`simulator.selectors.parse_selector`."""

CLUSTER = r"^\s*((tcp://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):[0-9]{1,5}|.*\.json)\s*$"
"""Dask scheduler addresses as :func:`simulator.cluster.check_address` takes them (the port's
range and a scheduler file's ``://`` are left to the code)."""

Schema = dict[str, Any]


def scenario_schema() -> Schema:
    """The JSON Schema (draft 2020-12) of a scenario file.

    Returns
    -------
    dict
        A JSON-serialisable schema. Its ``$defs`` hold the scenario sections (``Header``,
        ``Record``, ``Axis``, ``Design``), the parameter sections (``OrgParams``, ...,
        ``StrategyRule``, the mechanisms) and ``Params``: a parameter table as written in
        ``[params]``, ``[arms.<name>]`` and ``design.points`` (nested tables or quoted dotted
        keys, every parameter optional, unknown keys refused).
    """
    schema = _clean(Scenario.model_json_schema())
    params = _clean(Params.model_json_schema())
    defs: Schema = schema["$defs"]
    for name, section in params.pop("$defs").items():
        section.pop("required", None)  # a mechanism's name may come from another table
        defs[name] = section
    defs["StrategyRule"]["properties"]["who"]["pattern"] = SELECTOR
    defs["Params"] = _param_table(params)

    name = defs["Header"]["properties"]["name"]
    name["not"] = {"pattern": FOLDER_NAME_REFUSED}
    name["description"] += (
        f" 1 to {NAME_MAX} characters; no /, \\ or :, no leading dot, no spaces at either end."
    )
    props = schema["properties"]
    props["params"] = {
        "$ref": "#/$defs/Params",
        "title": "Fixed parameters",
        "description": props["params"]["description"]
        + " Every parameter is optional; see `orgsim params`.",
    }
    props["arms"] = {
        "type": "object",
        "title": "Arms",
        "description": props["arms"]["description"]
        + " Each arm is a table of parameters applied over [params] and the design point."
        f" Arm names: letters, digits, - and _, with at least one letter or digit; at most"
        f" {NAME_MAX} characters.",
        "propertyNames": {"maxLength": NAME_MAX, "not": {"pattern": ARM_NAME_REFUSED}},
        "additionalProperties": {"$ref": "#/$defs/Params"},
    }
    props["axes"]["description"] = "Swept parameters, one [[axes]] table each."
    defs["Axis"]["properties"]["param"]["title"] = "Parameter"
    defs["Design"]["properties"]["points"]["items"] = {"$ref": "#/$defs/Params"}
    _axis_rules(defs["Axis"])
    cluster = defs["RunSettings"]["properties"]["cluster"]
    cluster["anyOf"][0]["pattern"] = CLUSTER
    cluster["title"] = "Dask cluster"
    _outcome_rules(props["outcomes"], defs["Outcome"])
    schema["allOf"] = _design_rules()
    head = {
        "$schema": SCHEMA_DIALECT,
        "$id": SCHEMA_ID,
        "title": "orgsim scenario",
        "description": "A scenario file of orgsim (scenarios/README.md): one research question, "
        "fixed parameters, arms run on common random numbers, swept axes and a design.",
    }
    order = ("type", "properties", "required", "additionalProperties", "allOf", "$defs")
    return {**head, **{key: schema[key] for key in order}}


def write_schema(path: str | Path = DEFAULT_PATH) -> Path:
    """Write :func:`scenario_schema` as indented JSON (with a final newline) to ``path``."""
    path = Path(path)
    path.write_text(schema_text(), encoding="utf-8")
    return path


def schema_text() -> str:
    """The schema file's exact text: characters that do not print (the spaces in a name's
    pattern) as JSON escapes, so that the file shows them."""
    text = json.dumps(scenario_schema(), indent=2, ensure_ascii=False)
    return "".join(c if c.isprintable() or c == "\n" else json.dumps(c)[1:-1] for c in text) + "\n"


# -- building blocks --------------------------------------------------------------------------


NONE_TEXT = "^\\s*[Nn][Oo][Nn][Ee]\\s*$"
"""The text ``none`` (any case, spaces around) that a parameter which may be None takes."""


def _clean(node: Any) -> Any:
    """Editor-friendly copy: labels become titles, units join descriptions, no section defaults.

    Pydantic's schema of a field carries ``label`` and ``unit`` (from
    :func:`simulator.params.param`); those are not JSON Schema keywords, so the label becomes
    the ``title`` and the unit is appended to the ``description``. Defaults that are whole
    tables (a section's defaults) are dropped: editors would offer to insert them.
    """
    if isinstance(node, list):
        return [_clean(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _clean(value) for key, value in node.items()}
    label = out.pop("label", None)
    unit = out.pop("unit", None)
    if label:
        out["title"] = label
    if unit and "description" in out:
        out["description"] = f"{out['description'].rstrip('.')}. Unit: {unit}."
    if isinstance(out.get("default"), dict):
        del out["default"]
    if {"type": "null"} in out.get("anyOf", []):  # TOML has no null: the text "none"
        out["anyOf"] = [*out["anyOf"], {"type": "string", "pattern": NONE_TEXT}]
    if "discriminator" in out and "oneOf" in out:
        # With every field optional, several mechanisms can match one table: anyOf, not oneOf.
        del out["discriminator"]
        out["anyOf"] = out.pop("oneOf")
    return out


def _param_table(params: Schema) -> Schema:
    """``Params`` as written in a scenario: nested sections or quoted dotted keys."""
    properties: Schema = dict(params["properties"])
    for path in settable_paths():
        if "." in path:
            properties[path] = _leaf(path)
    return {
        "type": "object",
        "title": "Parameters",
        "description": "Parameters by dotted path (nested tables or dotted keys), every one "
        "optional; see `orgsim params` for defaults, ranges and units.",
        "properties": properties,
        "additionalProperties": False,
    }


def _leaf(path: str) -> Schema:
    """The schema of one settable parameter: a reference into its section's ``$defs`` entry.

    ``mechanism.<field>`` may belong to several mechanisms: any of them. ``mechanism.name`` is
    one of the mechanisms' names.
    """
    head, _, field = path.rpartition(".")
    if not head:
        return {"$ref": f"#/$defs/Params/properties/{field}"}
    if head == "mechanism":
        if field == "name":
            return {
                "type": "string",
                "enum": list(MECHANISM_PARAMS),
                "title": "Mechanism",
                "description": "The adoption rule (a new mechanism starts from its defaults).",
            }
        refs = [
            {"$ref": f"#/$defs/{cls.__name__}/properties/{field}"}
            for cls in MECHANISM_PARAMS.values()
            if field in cls.model_fields
        ]
        return refs[0] if len(refs) == 1 else {"anyOf": refs}
    section = Params.model_fields[head].annotation
    assert isinstance(section, type)
    return {"$ref": f"#/$defs/{section.__name__}/properties/{field}"}


def _numeric_range(path: str) -> Schema | None:
    """The range keywords (``minimum``, ...) of a numeric parameter; ``None`` if not numeric.

    Numeric as :func:`simulator.design.check_design` sees it (only numbers can have bounds).
    For ``mechanism.<field>`` the range is the widest over the mechanisms having the field.
    """
    info = field_info(path)
    if info is None or info.annotation not in (int, float, int | None, float | None):
        return None
    head, _, field = path.rpartition(".")
    infos = [info]
    if head == "mechanism":
        infos = [
            i for p, i in iter_fields() if p.startswith("mechanism[") and p.endswith(f"].{field}")
        ]
    lows: list[tuple[float, bool]] = []  # (bound, open)
    highs: list[tuple[float, bool]] = []  # (bound, closed)
    for lo, lo_open, hi, hi_open in (bounds(i) for i in infos):
        if lo is not None:
            lows.append((lo, lo_open))
        if hi is not None:
            highs.append((hi, not hi_open))
    keywords: Schema = {}
    if len(lows) == len(infos):  # every owner bounded below: the widest (a closed one on ties)
        low, low_open = min(lows)
        keywords["exclusiveMinimum" if low_open else "minimum"] = _plain(low)
    if len(highs) == len(infos):
        high, high_closed = max(highs)
        keywords["maximum" if high_closed else "exclusiveMaximum"] = _plain(high)
    return keywords


def _plain(x: float) -> float | int:
    """``1`` for ``1.0``, as the parameter's own schema writes its bounds."""
    return int(x) if float(x).is_integer() else x


def _axis_rules(axis: Schema) -> None:
    """Per-parameter rules of an axis: its values' schema; bounds only for numbers, in range."""
    props = axis["properties"]
    props["values"] = {
        "type": "array",
        "minItems": 1,
        "title": "Values",
        "description": props["values"]["description"]
        + " Each must be allowed for the parameter, and listed once.",
        "uniqueItems": True,
    }
    props["bounds"] = {
        "type": "array",
        "items": {"type": "number"},
        "minItems": 2,
        "maxItems": 2,
        "title": "Bounds",
        "description": props["bounds"]["description"]
        + " Both within the parameter's range, low below high.",
    }
    rules: list[Schema] = []
    for path in settable_paths():
        limits = _numeric_range(path)
        then: Schema = {"properties": {"values": {"items": _leaf(path)}}}
        if limits is None:
            then["properties"]["bounds"] = False
        else:
            then["properties"]["bounds"] = {"items": {"type": "number", **limits}}
        rules.append(
            {"if": {"properties": {"param": {"const": path}}, "required": ["param"]}, "then": then}
        )
    rules.append(
        {
            "if": {"properties": {"scale": {"const": "log"}}, "required": ["scale"]},
            # low < high, so both bounds above 0 is low above 0
            "then": {"properties": {"bounds": {"items": {"exclusiveMinimum": 0}}}},
        }
    )
    axis["not"] = {"required": ["values", "bounds"]}  # neither: the parameter's range
    axis["allOf"] = rules


def _kind_is(*kinds: str) -> Schema:
    """Matches a scenario whose design.kind is one of ``kinds`` (``grid`` also when absent)."""
    if "grid" in kinds:
        others = [k for k in DESIGNS if k not in kinds]
        return {"not": _kind_is(*others)}
    return {
        "properties": {
            "design": {"properties": {"kind": {"enum": list(kinds)}}, "required": ["kind"]}
        },
        "required": ["design"],
    }


def _outcome_rules(outcomes: Schema, outcome: Schema) -> None:
    """``[outcomes]``: names a letter then letters, digits and _, none a built-in outcome's;
    each reads a known series in exactly one way (:mod:`simulator.custom_outcomes`)."""
    outcomes["propertyNames"] = {
        "pattern": f"^{NAME.pattern}$",
        "not": {"enum": sorted(RESERVED)},
    }
    outcome["properties"]["series"]["enum"] = list(SERIES_COLUMNS)
    outcome["oneOf"] = [{"required": [key]} for key in TAKES]


def _design_rules() -> list[Schema]:
    """How the design kind and the axes fit together (:func:`simulator.design.check_design`)."""
    return [
        {
            "if": _kind_is("points"),
            "then": {
                "properties": {
                    "design": {"required": ["points"], "properties": {"points": {"minItems": 1}}},
                    "axes": {"maxItems": 0},
                }
            },
            "else": {"properties": {"design": {"properties": {"points": {"maxItems": 0}}}}},
        },
        {
            "if": _kind_is(*SAMPLED),
            "then": {"required": ["axes"], "properties": {"axes": {"minItems": 1}}},
        },
        {
            "if": _kind_is(*BOUNDS_ONLY),
            "then": {"properties": {"axes": {"items": {"not": {"required": ["values"]}}}}},
        },
        {
            "if": _kind_is("grid"),
            "then": {
                "properties": {
                    "axes": {
                        "items": {
                            "if": {"not": {"required": ["values"]}},
                            "then": {"required": ["steps"]},
                        }
                    }
                }
            },
        },
    ]


if __name__ == "__main__":
    if len(sys.argv) > 2 or (len(sys.argv) == 2 and sys.argv[1].startswith("-")):
        sys.exit(f"usage: python -m simulator.schema [OUT]  (default {DEFAULT_PATH})")
    target = write_schema(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_PATH)
    print(f"wrote {target}")
