"""Adoption rules, registered by name.

>>> sorted(REGISTRY)  # doctest: +NORMALIZE_WHITESPACE
['abandonment', 'bass', 'independent_cascade', 'linear_threshold', 'si', 'social_learning',
 'threshold']
"""

from __future__ import annotations

from simulator.mechanisms.abandonment import Abandonment
from simulator.mechanisms.base import Context, Events, Mechanism
from simulator.mechanisms.bass import Bass
from simulator.mechanisms.independent_cascade import IndependentCascade
from simulator.mechanisms.linear_threshold import LinearThreshold
from simulator.mechanisms.repeated_exposure import RepeatedExposure
from simulator.mechanisms.social_learning import SocialLearning
from simulator.mechanisms.threshold import Threshold

REGISTRY: dict[str, type[Mechanism]] = {
    cls.name: cls
    for cls in (
        SocialLearning,
        IndependentCascade,
        RepeatedExposure,
        Threshold,
        LinearThreshold,
        Bass,
        Abandonment,
    )
}


def make(ctx: Context) -> Mechanism:
    """The mechanism named in ``ctx.params.mechanism``, built on ``ctx``."""
    return REGISTRY[ctx.params.mechanism.name](ctx)


__all__ = ["REGISTRY", "Context", "Events", "Mechanism", "make"]
