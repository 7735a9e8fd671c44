"""The model's parameters: one typed, validated object, the single source of truth.

Every field carries a default, its bounds, a unit and a human label. The model, the command
line, the documentation table in ``docs/ODD.md`` and (later) scenario files and workshop sliders
are derived from these definitions; nothing restates them.

Examples
--------
>>> p = Params()
>>> p.culture.openness
0.5
>>> p.with_updates({"culture.openness": 0.8}).culture.openness
0.8
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

STRATEGIES: tuple[str, ...] = ("model", "delegate", "listen", "restrict", "none")


Strategy = Literal["model", "delegate", "listen", "restrict", "none"]
"""Leader strategies. ``none``: the leader decides like everyone else."""


def param(
    default: Any,
    *,
    label: str,
    doc: str,
    unit: str = "",
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
) -> Any:
    """A field with bounds, a unit and a label (kept in the JSON Schema for tools and docs)."""
    return Field(
        default,
        ge=ge,
        le=le,
        gt=gt,
        lt=lt,
        description=doc,
        json_schema_extra={"label": label, "unit": unit},
    )


_NUMBERS: dict[Any, str] = {
    int: "a whole number",
    int | None: "a whole number",
    float: "a number",
    float | None: "a number",
}


BOOL_NUMBER = "{field} must be {kind}, not {value}"


class NoBoolNumbers(BaseModel):
    """Refuses ``true``/``false`` for a number: pydantic reads them as 1 and 0, so
    ``steps = true`` ran one week and ``values = [true, false]`` swept 1.0 and 0.0."""

    @model_validator(mode="before")
    @classmethod
    def _no_bool_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = {key: _none(cls, key, value) for key, value in data.items()}
            for key, value in data.items():
                field = cls.model_fields.get(key) if isinstance(value, bool) else None
                kind = _NUMBERS.get(field.annotation) if field is not None else None
                if kind is not None:
                    raise PydanticCustomError(
                        "bool_number",
                        BOOL_NUMBER,
                        {"field": key, "kind": kind, "value": str(value).lower()},
                    )
        return data


def _none(model: type[BaseModel], key: str, value: Any) -> Any:
    """``"none"`` for a parameter that may be None (``leaders.stop``): TOML has no null,
    and ``orgsim params`` lists the value as ``none``."""
    if not (isinstance(value, str) and value.strip().lower() == "none"):
        return value  # (every value of every validation passes here: the cheap test first)
    field = model.model_fields.get(key)
    return None if field is not None and type(None) in get_args(field.annotation) else value


class Section(NoBoolNumbers):
    """A group of parameters; unknown keys are errors. Read-only: a changed copy comes from
    :meth:`Params.with_updates`."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    def __setattr__(self, name: str, value: Any) -> None:
        sections = {f.annotation: key for key, f in Params.model_fields.items()}
        sections |= {cls: "mechanism" for cls in MECHANISM_PARAMS.values()}
        section = "" if isinstance(self, Params) else sections.get(type(self))
        if section is None:  # (a strategy rule, in the list leaders.rules)
            how = "params.with_updates({'leaders.rules': [...]}) with the rules changed"
        else:
            path = f"{section}.{name}" if section else name
            how = f"params.with_updates({{{path!r}: {value!r}}})"
        raise FrozenParamsError(
            f"parameters cannot be changed in place ({name} = {value!r}): make a changed"
            f" copy, params = {how}"
        )


class FrozenParamsError(TypeError):
    """An attempt to change parameters in place (they are shared, and compiled into models)."""


class OrgParams(Section):
    """Shape of a generated organisation (ignored where an org chart is imported)."""

    size: int = param(
        1000,
        ge=2,
        le=5_000_000,
        unit="people",
        label="Organisation size",
        doc="Number of people, the top leader included.",
    )
    span: int = param(
        6,
        ge=1,
        le=500,
        unit="reports",
        label="Span of control",
        doc="Typical number of direct reports per manager.",
    )
    span_jitter: int = param(
        2,
        ge=0,
        le=500,
        unit="reports",
        label="Span variation",
        doc="Each manager's span is drawn uniformly from span ± jitter "
        "(at least 1); 0 gives a fixed span.",
    )
    units: int = param(
        6,
        ge=1,
        le=10_000,
        unit="units",
        label="Units",
        doc="Departments under the top team: the top leader's direct reports, "
        "each heading one unit.",
    )
    team_ties: bool = param(
        True, label="Team ties", doc="Tie people who share a manager (a team) to each other."
    )
    lateral_within: float = param(
        2.0,
        ge=0,
        le=1000,
        unit="ties/person",
        label="Informal ties within units",
        doc="Mean number of informal lateral ties per person inside their own unit.",
    )
    lateral_across: float = param(
        0.5,
        ge=0,
        le=1000,
        unit="ties/person",
        label="Informal ties across units",
        doc="Mean number of informal lateral ties per person to other units.",
    )
    follow_levels: int = param(
        2,
        ge=0,
        le=50,
        unit="levels",
        label="Followed levels",
        doc="Leaders at levels below this (0 = top) are the top leaders: followed "
        "organisation-wide (and their delegates), and criticised more; 0: no follow layer "
        "and no top leaders.",
    )
    follow_prob: float = param(
        0.3,
        ge=0,
        le=1,
        unit="probability",
        label="Follow probability",
        doc="Probability that a person follows each top leader's account.",
    )
    audience_median: float = param(
        150.0,
        ge=0,
        le=1e9,
        unit="followers",
        label="External audience",
        doc="Median external audience (followers) of a front-line account.",
    )
    audience_sigma: float = param(
        1.0,
        ge=0,
        le=10,
        unit="log-units",
        label="Audience spread",
        doc="Standard deviation of the log audience (heavy tail).",
    )
    audience_level_factor: float = param(
        3.0,
        ge=1,
        le=100,
        unit="x per level",
        label="Audience gain per level",
        doc="Each level up multiplies the median audience.",
    )


class CultureParams(Section):
    """Openness and trust of the culture, and the social-media policy."""

    openness: float = param(
        0.5,
        ge=0,
        le=1,
        unit="0-1",
        label="Openness and trust",
        doc="0 closed, 1 open. Raises the comfort baseline and engagement, lowers criticism.",
    )
    policy: Literal["restrictive", "neutral", "open"] = param(
        "neutral",
        label="Social-media policy",
        doc="Shifts everyone's comfort baseline down (restrictive) or up (open).",
    )
    policy_shift: float = param(
        0.1,
        ge=0,
        le=1,
        unit="comfort",
        label="Policy effect",
        doc="Size of the comfort-baseline shift of a non-neutral policy.",
    )


class PeopleParams(Section):
    """How individuals are drawn at the start."""

    threshold_mean: float = param(
        0.4,
        ge=0,
        le=1,
        unit="motivation",
        label="Threshold mean",
        doc="Mean individual threshold that comfort x efficacy must reach to post.",
    )
    threshold_sd: float = param(
        0.15,
        ge=0,
        le=1,
        unit="motivation",
        label="Threshold spread",
        doc="Standard deviation of thresholds (normal, clipped to 0-1).",
    )
    innovators: float = param(
        0.02,
        ge=0,
        le=1,
        unit="probability",
        label="Innovators",
        doc=(
            "Chance that a person has threshold 0 (posts once aware), drawn for each person"
            " apart: the share of innovators varies around it from run to run."
        ),
    )
    risk_aversion_mean: float = param(
        0.5,
        gt=0,
        lt=1,
        unit="0-1",
        label="Risk aversion",
        doc="Mean risk aversion (Beta distributed); scales the "
        "chance of pulling back after criticism.",
    )
    posting_rate: float = param(
        1.0,
        ge=0,
        le=50,
        unit="posts/week",
        label="Employee posting rate",
        doc="Posts per week of an employee who is a poster.",
    )
    explicit_initial: float = param(
        0.3,
        ge=0,
        le=1,
        unit="0-1",
        label="Initial explicit know-how",
        doc="Mean initial explicit know-how (Beta distributed).",
    )
    initial_aware: float = param(
        0.05,
        ge=0,
        le=1,
        unit="probability",
        label="Initially aware",
        doc=(
            "Chance that a person starts as a listener, drawn for each person apart: the"
            " share of listeners at the start varies around it from run to run."
        ),
    )
    initial_posters: float = param(
        0.0,
        ge=0,
        le=1,
        unit="probability",
        label="Initial posters",
        doc=(
            "Chance that a person starts as a poster, drawn for each person apart: the share"
            " of posters at the start varies around it from run to run (0.05 of 1,000"
            " people: 50 on average, 37 to 64 in 19 runs of 20)."
        ),
    )

    @model_validator(mode="after")
    def _check_initial(self) -> PeopleParams:
        if self.initial_posters + self.initial_aware > 1:
            raise ValueError(
                f"initial_posters ({self.initial_posters:g}) + initial_aware"
                f" ({self.initial_aware:g}) is more than 1: they are one draw's chances for"
                " each person (a poster, else a listener), so together at most 1"
            )
        return self


class StrategyRule(Section):
    """Assign a strategy, with its schedule, to the leaders a selector picks.

    Selectors: ``all`` (every leader), ``level=N``, ``levels=A-B``, ``role=R`` with R one of
    ``top``, ``executive``, ``middle``, ``frontline``, ``unit=NAME``, ``title=TEXT``, or
    ``ids=A,B,C`` (person ids as in the org chart).
    """

    who: str = param("all", label="Selector", doc="Which leaders the rule applies to.")
    strategy: Strategy = param("model", label="Strategy", doc="The leader strategy.")
    rate: float = param(
        2.0,
        ge=0,
        le=50,
        unit="posts/week",
        label="Posting rate",
        doc="Posts per week of a modeling leader.",
    )
    start: int = param(
        0,
        ge=0,
        le=1_000_000,
        unit="step",
        label="Start step",
        doc="Weeks before the strategy begins to act (0: from the first week).",
    )
    stop: int | None = param(
        None,
        ge=0,
        le=1_000_000,
        unit="step",
        label="Stop step",
        doc="Last week in which the strategy acts (none: it never stops).",
    )

    @field_validator("who")
    @classmethod
    def _check_selector(cls, value: str) -> str:
        from simulator.selectors import parse_selector

        parse_selector(value)
        return value

    @model_validator(mode="after")
    def _check_schedule(self) -> StrategyRule:
        if self.stop is not None and self.stop <= self.start:
            raise ValueError(f"stop ({self.stop}) must be after start ({self.start})")
        return self


class LeaderParams(Section):
    """The leaders' strategy: a default for the top levels, refined by rules."""

    strategy: Strategy = param(
        "model", label="Leader strategy", doc="Strategy of the leaders at the top levels."
    )
    levels: int = param(
        2,
        ge=0,
        le=50,
        unit="levels",
        label="Strategy levels",
        doc="The default strategy applies to leaders at levels below this.",
    )
    rate: float = param(
        2.0,
        ge=0,
        le=50,
        unit="posts/week",
        label="Leader posting rate",
        doc="Posts per week of a modeling leader.",
    )
    start: int = param(
        0,
        ge=0,
        le=1_000_000,
        unit="step",
        label="Strategy start",
        doc="Weeks before the leaders' strategy begins to act (0: from the first week).",
    )
    stop: int | None = param(
        None,
        ge=0,
        le=1_000_000,
        unit="step",
        label="Strategy stop",
        doc="Last week in which it acts (none: it never stops).",
    )
    rules: tuple[StrategyRule, ...] = Field(
        (),
        description="Further assignments, applied in order after the default; a later rule "
        "overrides an earlier one for the leaders it selects.",
        json_schema_extra={"label": "Strategy rules", "unit": ""},
    )

    @model_validator(mode="after")
    def _check_schedule(self) -> LeaderParams:
        if self.stop is not None and self.stop <= self.start:
            raise ValueError(f"stop ({self.stop}) must be after start ({self.start})")
        return self


class DelegationParams(Section):
    """How delegating leaders hand off posting, and the guidelines they issue."""

    mode: Literal["report", "comms_team"] = param(
        "report",
        label="Delegates",
        doc="report: each delegating leader appoints one report who does not lead with a "
        "strategy; comms_team: a central team posts for all delegating leaders.",
    )
    comms_team_size: int = param(
        10,
        ge=1,
        le=100_000,
        unit="people",
        label="Comms team size",
        doc="Size of the central comms team (mode comms_team).",
    )
    fair_posts: bool = param(
        True,
        label="Equal total posts",
        doc="Delegates share the weekly posts the delegating leaders would "
        "have made, so modeling and delegation post equally often.",
    )
    rate: float = param(
        2.0,
        ge=0,
        le=50,
        unit="posts/week",
        label="Delegate posting rate",
        doc="Posts per week of each delegate when fair_posts is off.",
    )
    followed: bool = param(
        True,
        label="Delegates followed",
        doc="Delegates' accounts are followed organisation-wide like the top leaders' "
        "(with org.follow_prob), so delegation keeps the number of widely visible posting "
        "accounts; off: delegates post to their own network only.",
    )
    endorsement: float = param(
        0.5,
        ge=0,
        le=1,
        unit="0-1",
        label="Official-account effect",
        doc="How far a delegate's posts count as their leader's "
        "endorsement (0 none, 1 as if the leader posted).",
    )
    guideline_cap: float = param(
        0.6,
        ge=0,
        le=1,
        unit="0-1",
        label="Guideline cap",
        doc="Explicit know-how that guidelines can raise people to.",
    )
    guideline_strength: float = param(
        0.6,
        ge=0,
        le=1,
        unit="0-1",
        label="Guideline strength",
        doc="Share of the gap to the cap that a guideline memo closes.",
    )
    guideline_awareness: float = param(
        0.3,
        ge=0,
        le=1,
        unit="probability",
        label="Memo awareness",
        doc="Probability that the guideline memo makes a non-user aware.",
    )


class RestrictionParams(Section):
    """The effect of a restricting leader on their part of the organisation."""

    comfort_penalty: float = param(
        0.2,
        ge=0,
        le=1,
        unit="comfort",
        label="Restriction penalty",
        doc="Drop in the comfort baseline under a restricting leader.",
    )
    time_factor: float = param(
        0.5,
        ge=0,
        le=1,
        unit="x",
        label="Time allowed",
        doc="Multiplier on posting rates under a restricting leader.",
    )


class AttentionParams(Section):
    """Whom people attend to, and how much."""

    manager_weight: float = param(
        1.0,
        ge=0,
        le=100,
        unit="weight",
        label="Manager tie",
        doc="Attention weight of one's manager.",
    )
    report_weight: float = param(
        0.5,
        ge=0,
        le=100,
        unit="weight",
        label="Report tie",
        doc="Attention weight of each direct report.",
    )
    team_weight: float = param(
        0.7, ge=0, le=100, unit="weight", label="Team tie", doc="Attention weight of each teammate."
    )
    lateral_weight: float = param(
        0.5,
        ge=0,
        le=100,
        unit="weight",
        label="Lateral tie",
        doc="Attention weight of each informal tie.",
    )
    follow_weight: float = param(
        1.0,
        ge=0,
        le=100,
        unit="weight",
        label="Followed account",
        doc="Attention weight of each followed top leader.",
    )
    follow_cap: float = param(
        0.25,
        ge=0,
        le=1,
        unit="share",
        label="Follow attention cap",
        doc="Largest share of a person's attention that followed "
        "(non-neighbour) accounts may take.",
    )
    prestige_step: float = param(
        1.5,
        ge=1,
        le=10,
        unit="x per level",
        label="Prestige gradient",
        doc="Each level up multiplies prestige (1: flat).",
    )
    silent_leaders_count: bool = param(
        True,
        label="Silent leaders count",
        doc="Leaders who do not post still count: followed ones take attention, and one's "
        "own leaders and the top leaders one follows count against endorsement (off: only "
        "active accounts do).",
    )
    active_window: int = param(
        4,
        ge=1,
        le=1000,
        unit="weeks",
        label="Active window",
        doc="An account is active if it posted within this many weeks.",
    )
    chain_decay: float = param(
        0.5,
        ge=0,
        le=1,
        unit="x per level",
        label="Chain decay",
        doc="Endorsement weight of each further leader up the chain of "
        "command, relative to the one below.",
    )
    followed_endorsement: float = param(
        1.0,
        ge=0,
        le=10,
        unit="weight",
        label="Followed leader endorsement",
        doc="Endorsement weight of a followed top leader, relative to one's own manager.",
    )


class ResponseParams(Section):
    """How posts are received."""

    engagement_rate: float = param(
        0.3,
        ge=0,
        le=1,
        unit="per post",
        label="Engagement",
        doc="Chance that a post draws positive engagement in a "
        "culture of openness 0.5 (scaled by openness / 0.5).",
    )
    criticism_rate: float = param(
        0.02,
        ge=0,
        le=1,
        unit="per post",
        label="Criticism",
        doc="Chance that an employee's post draws criticism in a "
        "culture of openness 0.5 (scaled by (1 - openness) / 0.5).",
    )
    leader_criticism_multiplier: float = param(
        2.0,
        ge=0,
        le=100,
        unit="x",
        label="Criticism of leaders",
        doc="Multiplier on the criticism chance of the top leaders' posts (levels below "
        "org.follow_levels, followed or not).",
    )
    criticism_comfort_loss: float = param(
        0.1,
        ge=0,
        le=1,
        unit="comfort",
        label="Comfort lost to criticism",
        doc="Comfort a criticised poster loses at once.",
    )
    pullback_rate: float = param(
        0.5,
        ge=0,
        le=1,
        unit="probability",
        label="Pull-back",
        doc="Chance of pulling back after criticism, for risk aversion "
        "1 (scaled by the person's risk aversion).",
    )
    cooldown: int = param(
        8,
        ge=0,
        le=1000,
        unit="weeks",
        label="Cooldown",
        doc="Weeks after a pull-back before the person may post again.",
    )


class LearningParams(Section):
    """Comfort and efficacy learning."""

    comfort_rate: float = param(
        0.2,
        ge=0,
        le=1,
        unit="per week",
        label="Comfort learning rate",
        doc="Share of the gap to the comfort target closed each week.",
    )
    culture_weight: float = param(
        0.3,
        ge=0,
        le=1,
        unit="comfort",
        label="Culture in comfort",
        doc="Comfort baseline per unit of openness.",
    )
    social_weight: float = param(
        0.5,
        ge=0,
        le=2,
        unit="comfort",
        label="Social proof",
        doc="Weight of social proof in the comfort target.",
    )
    endorsement_weight: float = param(
        0.3,
        ge=0,
        le=2,
        unit="comfort",
        label="Endorsement",
        doc="Weight of one's leaders posting in the comfort target.",
    )
    engagement_weight: float = param(
        0.3,
        ge=0,
        le=5,
        unit="comfort",
        label="Observed engagement",
        doc="Weight of observed positive engagement.",
    )
    criticism_weight: float = param(
        1.0,
        ge=0,
        le=20,
        unit="comfort",
        label="Observed criticism",
        doc="Weight of observed criticism (vicarious punishment).",
    )
    tacit_rate: float = param(
        0.05,
        ge=0,
        le=1,
        unit="per observed post",
        label="Tacit learning",
        doc="Tacit know-how gained per attention-weighted observed post, "
        "as a share of what is left to learn.",
    )
    explicit_weight: float = param(
        0.5,
        ge=0,
        le=1,
        unit="0-1",
        label="Explicit share",
        doc="Weight of explicit (vs tacit) know-how in efficacy.",
    )


class DecisionParams(Section):
    """Stage transitions."""

    awareness_rate: float = param(
        0.15,
        ge=0,
        le=1,
        unit="per account",
        label="Awareness",
        doc="beta: chance per observed account per week of becoming aware.",
    )
    broadcast: float = param(
        0.005,
        ge=0,
        le=1,
        unit="per week",
        label="Broadcast",
        doc="b: external chance per week of becoming aware (campaigns, news; Bass's p).",
    )
    awareness_source: Literal["posters", "aware"] = param(
        "posters",
        label="Awareness source",
        doc="Which observed accounts make people aware: active posters, or everyone aware.",
    )
    noise: float = param(
        0.02,
        ge=0,
        le=10,
        unit="motivation",
        label="Decision noise",
        doc="Temperature of the logistic posting decision (0: deterministic).",
    )
    hysteresis: float = param(
        0.1,
        ge=0,
        le=1,
        unit="motivation",
        label="Lapse margin",
        doc="A poster lapses when motivation falls below threshold minus this margin.",
    )
    lapse: bool = param(True, label="Lapse", doc="Whether posters can lapse to listeners.")


# --- mechanisms: the adoption rule and its own parameters ---------------------------------


class SocialLearningParams(Section):
    """The flagship mechanism; its parameters are the sections above."""

    name: Literal["social_learning"] = "social_learning"


class IndependentCascadeParams(Section):
    """Independent cascade (Kempe, Kleinberg and Tardos 2003)."""

    name: Literal["independent_cascade"]
    p: float = param(
        0.1,
        ge=0,
        le=1,
        unit="probability",
        label="Activation probability",
        doc="Chance that a new adopter activates each person who observes them.",
    )


class RepeatedExposureParams(Section):
    """SI repeated-exposure simple contagion."""

    name: Literal["si"]
    beta: float = param(
        0.1,
        ge=0,
        le=1,
        unit="per adopter",
        label="Transmission",
        doc="Chance per adopted observed account per step.",
    )


class ThresholdParams(Section):
    """Fractional (Granovetter 1978, Watts 2002) or absolute threshold."""

    name: Literal["threshold"]
    rule: Literal["fractional", "absolute"] = param(
        "fractional",
        label="Threshold rule",
        doc="fractional: share of observed accounts adopted >= phi; absolute: count >= k.",
    )
    phi: float = param(
        0.18,
        ge=0,
        le=1,
        unit="share",
        label="phi",
        doc="Fractional threshold (mean, when phi_sd > 0).",
    )
    phi_sd: float = param(
        0.0,
        ge=0,
        le=1,
        unit="share",
        label="phi spread",
        doc="Standard deviation of individual fractional thresholds.",
    )
    k: int = param(
        2,
        ge=0,
        le=1_000_000,
        unit="adopters",
        label="k",
        doc="Absolute threshold: number of adopted observed accounts needed.",
    )


class LinearThresholdParams(Section):
    """Linear threshold with weights (Kempe, Kleinberg and Tardos 2003)."""

    name: Literal["linear_threshold"]
    weights: Literal["uniform", "attention"] = param(
        "uniform",
        label="Influence weights",
        doc="uniform: 1/in-degree; attention: the social-learning attention weights.",
    )


class BassParams(Section):
    """Bass (1969) diffusion on a network (Fibich and Gibori 2010)."""

    name: Literal["bass"]
    p: float = param(
        0.01, ge=0, le=1, unit="per step", label="Innovation p", doc="External influence per step."
    )
    q: float = param(
        0.3,
        ge=0,
        le=1,
        unit="per step",
        label="Imitation q",
        doc="Internal influence per step when all observed accounts adopted.",
    )


class AbandonmentParams(Section):
    """Adoption with abandonment: SI adoption, lapse with no return (SIR-like)."""

    name: Literal["abandonment"]
    beta: float = param(
        0.1,
        ge=0,
        le=1,
        unit="per adopter",
        label="Transmission",
        doc="Chance per adopted observed account per step.",
    )
    p: float = param(
        0.0,
        ge=0,
        le=1,
        unit="per step",
        label="External adoption",
        doc="External chance of adopting per step.",
    )
    delta: float = param(
        0.05,
        ge=0,
        le=1,
        unit="per step",
        label="Abandonment",
        doc="Chance per step that an adopter abandons for good.",
    )


MechanismParams = Annotated[
    SocialLearningParams
    | IndependentCascadeParams
    | RepeatedExposureParams
    | ThresholdParams
    | LinearThresholdParams
    | BassParams
    | AbandonmentParams,
    Field(discriminator="name"),
]


class Params(Section):
    """All parameters of one run.

    Sections group the fields; dotted paths (``culture.openness``) name them everywhere:
    in the command line's ``--set``, in scenario files and in the documentation.
    """

    steps: int = param(
        52,
        ge=1,
        le=1_000_000,
        unit="weeks",
        label="Horizon",
        doc="Number of steps (weeks) to simulate.",
    )
    org: OrgParams = OrgParams()
    culture: CultureParams = CultureParams()
    people: PeopleParams = PeopleParams()
    leaders: LeaderParams = LeaderParams()
    delegation: DelegationParams = DelegationParams()
    restriction: RestrictionParams = RestrictionParams()
    attention: AttentionParams = AttentionParams()
    responses: ResponseParams = ResponseParams()
    learning: LearningParams = LearningParams()
    decisions: DecisionParams = DecisionParams()
    mechanism: MechanismParams = Field(
        default_factory=SocialLearningParams,
        description="The adoption rule and its own parameters.",
        json_schema_extra={"label": "Mechanism", "unit": ""},
    )

    def with_updates(self, updates: Mapping[str, Any]) -> Params:
        """A validated copy with dotted-path updates, e.g. ``{"culture.openness": 0.8}``.

        A different ``mechanism.name`` starts that mechanism from its own defaults. Bad
        updates raise :class:`~simulator.errors.ParameterError` (a pydantic
        ``ValidationError``), one line per problem, naming the path, the value and what is
        allowed (with the closest name for a typo)."""
        if not isinstance(updates, Mapping):
            from simulator.errors import a_type  # (errors imports this module)

            raise TypeError(
                "with_updates takes a dict of dotted paths and values, such as"
                f" {{'culture.openness': 0.8}}; got {a_type(updates)}"
            )
        updates = _variant_paths(updates)
        data = self.model_dump()
        name = updates.get("mechanism.name", self.mechanism.name)
        if name != self.mechanism.name:  # a new mechanism starts from its own defaults
            data["mechanism"] = {"name": name}
        for path, value in updates.items():
            set_path(data, path, value)
        try:
            return Params.model_validate(data)
        except ValidationError as err:
            from simulator.errors import ParameterError  # (errors imports this module)

            raise ParameterError.of(err) from None


VARIANT_PATH = re.compile(r"mechanism\[(\w+)\]\.(\w+)")
"""A mechanism's own parameter as ``orgsim params`` names it: ``mechanism[bass].p``."""


def _variant_paths(updates: Mapping[str, Any]) -> Mapping[str, Any]:
    """``mechanism[bass].p`` (how ``orgsim params`` and the docs name a mechanism's own
    parameter) as ``mechanism.name = bass`` and ``mechanism.p``."""
    if not any(VARIANT_PATH.fullmatch(k) for k in updates):
        return updates
    out: dict[str, Any] = {}
    for key, value in updates.items():
        match = VARIANT_PATH.fullmatch(key)
        if match is None:
            out[key] = value
            continue
        name, field = match.groups()
        if field == "name" or out.setdefault("mechanism.name", name) != name:
            raise ValueError(
                f"{key} = {value!r}: parameters of two mechanisms; choose one with"
                " mechanism.name, and give its own parameters"
            )
        out[f"mechanism.{field}"] = value
    if updates.get("mechanism.name", out["mechanism.name"]) != out["mechanism.name"]:
        given = ", ".join(k for k in updates if VARIANT_PATH.fullmatch(k))
        raise ValueError(
            f"mechanism.name = {updates['mechanism.name']!r} and parameters of mechanism"
            f" {out['mechanism.name']!r} ({given}): choose one mechanism"
        )
    return out


def setting_value(path: str, raw: str) -> Any:
    """The value of a setting typed as text (``orgsim --set path=value``, the workshop's typed
    setting): JSON where it reads as JSON (numbers, true, lists, tables), else the text. A
    list or table that is not valid JSON is refused (``ValueError``), not taken as text."""
    try:
        return json.loads(raw)
    except ValueError as err:
        if raw.strip().startswith(("[", "{")):
            raise ValueError(
                f"{path} = {raw.strip()}: not valid JSON ({err.args[0].split(':')[0]}); write"
                ' lists and tables in JSON, names in double quotes, e.g. [{"who": "all",'
                ' "strategy": "model"}]'
            ) from None
        return raw


def get_path(params: BaseModel, path: str) -> Any:
    """The value at a dotted ``path`` of ``params`` (``"culture.openness"``)."""
    value: Any = params
    for key in path.split("."):
        value = getattr(value, key)
    return value


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``data["a"]["b"] = value`` for ``path == "a.b"``, creating sections as needed."""
    *parents, leaf = path.split(".")
    node = data
    for key in parents:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    node[leaf] = value


def iter_fields(model: type[BaseModel] = Params, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield ``(dotted_path, FieldInfo)`` for every leaf parameter, sections expanded.

    The mechanism union is expanded per variant as ``mechanism[<name>].<field>``.
    """
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = info.annotation
        if (
            isinstance(annotation, type)
            and issubclass(annotation, Section)
            and (annotation is not StrategyRule)
        ):
            yield from iter_fields(annotation, path + ".")
        elif name == "mechanism" and model is Params:
            yield "mechanism.name", info
            for variant_name, variant in MECHANISM_PARAMS.items():
                for sub, sub_info in variant.model_fields.items():
                    if sub != "name":
                        yield f"mechanism[{variant_name}].{sub}", sub_info
        else:
            yield path, info


def _literal(model: type[BaseModel]) -> str:
    args = getattr(model.model_fields["name"].annotation, "__args__", ("?",))
    return str(args[0])


MECHANISM_PARAMS: dict[str, type[Section]] = {
    _literal(cls): cls
    for cls in (
        SocialLearningParams,
        IndependentCascadeParams,
        RepeatedExposureParams,
        ThresholdParams,
        LinearThresholdParams,
        BassParams,
        AbandonmentParams,
    )
}


def field_info(path: str) -> Any:
    """The FieldInfo of a dotted path (``mechanism.<field>``: the first mechanism having it)."""
    fields = dict(iter_fields())
    if path in fields:
        return fields[path]
    head, _, leaf = path.partition(".")
    if head == "mechanism":
        for name, variant in MECHANISM_PARAMS.items():
            if leaf in variant.model_fields and leaf != "name":
                return fields[f"mechanism[{name}].{leaf}"]
    return None


def settable_paths() -> tuple[str, ...]:
    """Every dotted path a user can set (mechanism fields as ``mechanism.<field>``)."""
    paths = [p for p, _ in iter_fields() if "[" not in p]
    for variant in MECHANISM_PARAMS.values():
        paths += [f"mechanism.{f}" for f in variant.model_fields if f != "name"]
    return tuple(dict.fromkeys(paths))
