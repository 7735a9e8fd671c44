# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 3. Simple and complex contagion on an org chart
#
# **Question:** does posting spread like news (one contact is enough) or like a risky new
# habit (you need to see several people do it first)? And what does the answer change about
# which ties in an organisation matter?
#
# Diffusion research has a few classic rules for how something spreads over a network.
# `orgsim` has them built in, exactly as published, next to its own social-learning rule
# (`docs/ODD.md`, section 7.9):
#
# - **repeated exposure** (`si`, from epidemic models): each week, each adopting contact is
#   a fresh chance of adopting;
# - **independent cascade** (`independent_cascade`; Kempe, Kleinberg and Tardos 2003): a new
#   adopter gets one chance to convert each contact, right after adopting;
# - **threshold** (`threshold`; Granovetter 1978, Watts 2002): one adopting contact is not
#   enough, a *share* (or a number) of one's contacts must have adopted;
# - **social learning** (`social_learning`; after Bandura 1977, this project's rule): social
#   proof is one ingredient; comfort, know-how, leaders' example and criticism matter too.
#
# The first two are **simple contagions**: every contact is an independent chance, like a
# rumour or a cold. A threshold rule is a **complex contagion** (Centola and Macy 2007): a
# behaviour that is costly or risky to adopt needs *reinforcement* from several contacts.
# Centola's online experiment (2010) found that a health behaviour spread further in
# clustered networks, where people share many contacts, than in random ones: 54 % against
# 38 % of people adopted.
#
# In the classic rules, an "adopter" is a poster, and a leader's strategy acts only through
# who starts as an adopter: modeling leaders are adopters from week 1.

# %%
# %matplotlib inline
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

from simulator import OrgModel, Params
from simulator.analysis import paired_differences
from simulator.orgimport import load_org_csv
from simulator.plots import org_chart

RULES = {
    "SI": {"mechanism.name": "si"},
    "cascade": {"mechanism.name": "independent_cascade"},
    "threshold": {"mechanism.name": "threshold"},
    "social learning": {"mechanism.name": "social_learning"},
}
# (not the arms' green and purple, which mean modeling and delegation in every figure)
COLOURS = dict(zip(RULES, ["#0072B2", "#E69F00", "#000000", "#D55E00"], strict=True))

# %% [markdown]
# ## Four rules, one organisation
#
# The same 1,000-person organisation as in notebooks 1 and 2 (leaders model, and are
# followed), the same 10 seeds, four rules. Each rule keeps its own default parameters
# (`orgsim params` lists them: the SI rule adopts with chance 0.1 per adopting contact a
# week, the cascade gives each new adopter one chance of 0.1 per contact, the threshold is
# 18 % of one's contacts).

# %%
curves = {}
finals = {}
for rule, change in RULES.items():
    params = Params().with_updates(change)
    runs = [OrgModel(params, rng=seed, agents=False).run() for seed in range(10)]
    weekly = pd.concat([run.series().assign(replication=i) for i, run in enumerate(runs)])
    curves[rule] = weekly.groupby("step")["poster"].median()
    finals[rule] = np.mean([run.poster_share() for run in runs])

fig, ax = plt.subplots(figsize=(7, 4))
for rule, curve in curves.items():
    ax.plot(curve.index, curve.to_numpy(), lw=2.2, color=COLOURS[rule], label=rule)
ax.set(
    xlabel="Week",
    ylabel="Share posting (median of 10 runs)",
    ylim=(0, 1.02),
    title="Four adoption rules on the same organisations",
)
ax.legend(frameon=False)
plt.show()
pd.Series(finals, name="posting after a year").round(2)

# %% [markdown]
# The rules tell very different stories about the same organisation:
#
# - **SI** reaches everyone within weeks: every week every poster is another chance.
# - The **cascade** stops part of the way: each new adopter gets only one chance per contact,
#   and once a wave of chances is spent, it is over.
# - The **threshold** rule is all or nothing. Here it takes everything at once, because many
#   people follow two or more of the seven posting top leaders, which is more than 18 % of
#   the few accounts they watch; the same rule stalls completely in other settings (below).
# - **Social learning** is slow: it climbs steadily all year, close to a straight line and
#   still rising at week 52, and ends with about a quarter of people posting. Comfort and
#   know-how build up week by week, and criticism and lapses pull some people back.
#
# A rule made for news or infections makes posting look instant. The evidence from
# organisations like Zappos (about 29 % of staff on Twitter within a year, with leaders
# leading: notebook 1) is much closer to the slow curve.

# %% [markdown]
# ## One contact or two? A bridge you can work out on paper
#
# A tiny organisation shows the difference between simple and complex contagion exactly.
# The pilot lead `L` and two people under them, `P1` and `P2`, post (they model). Across the
# organisation, team lead `O` has four people, `o1`..`o4`, who all see each other (a team).
# Between the two sides there is a **bridge**: informal ties from the pilots into `O`'s team.
#
# - A **narrow** bridge: one tie, `P1`-`o1`.
# - A **wide** bridge: four ties, `P1` and `P2` both tied to `o1` and to `o2`.
#
# The org chart and the informal ties are plain CSV tables, the same format as
# `orgsim run --org-csv` reads (a real org chart can be imported the same way).

# %%
folder = Path(tempfile.mkdtemp())
(folder / "org.csv").write_text(
    "id,manager_id\nceo,\nL,ceo\nP1,L\nP2,L\na1,P1\na2,P2\nH,ceo\nO,H\no1,O\no2,O\no3,O\no4,O\n"
)
(folder / "narrow.csv").write_text("source,target\nP1,o1\n")
(folder / "wide.csv").write_text("source,target\nP1,o1\nP2,o1\nP1,o2\nP2,o2\n")

TOY = {
    "org.follow_levels": 0,  # nobody follows anybody: only the chart and the ties
    "people.initial_aware": 0.0,
    "leaders.strategy": "none",
    "leaders.rules": [{"who": "ids=L,P1,P2", "strategy": "model"}],
    "steps": 20,
}
TOY_RULES = {
    "SI (one contact)": {"mechanism.name": "si", "mechanism.beta": 0.3},
    "threshold: 2 contacts": {
        "mechanism.name": "threshold",
        "mechanism.rule": "absolute",
        "mechanism.k": 2,
    },
}


def toy_run(bridge, rule, seed=0):
    params = Params().with_updates({**TOY, **TOY_RULES[rule]})
    org = load_org_csv(
        folder / "org.csv", params.org, np.random.default_rng(0), ties=folder / f"{bridge}.csv"
    )
    return OrgModel(params, rng=seed, org=org).run()


fig, axes = plt.subplots(2, 2, figsize=(13, 7), layout="constrained")
toy = {}
for row, rule in zip(axes, TOY_RULES, strict=True):
    for ax, bridge in zip(row, ("narrow", "wide"), strict=True):
        model = toy_run(bridge, rule)
        toy[bridge, rule] = {p.person_id for p in model.people if p.stage == "poster"}
        org_chart(
            model.org,
            stage=[p.stage for p in model.people],
            labels=True,
            ax=ax,
            title=f"{rule}, {bridge} bridge: week 20",
        )
plt.show()

# %% [markdown]
# Work it out on paper with the threshold rule "adopt when **2** of the people you see have
# adopted": across the narrow bridge, `o1` sees only one adopter (`P1`), so nothing happens,
# ever. Across the wide bridge, `o1` and `o2` each see two adopters (`P1` and `P2`) and adopt;
# then `o3` and `o4` see two adopting teammates, and `O` sees two adopting reports: the
# whole team adopts (and then `H` and the CEO, who each see two adopters). `a1` and `a2`
# see only their own manager, one adopter, so they never adopt under this rule. A simple
# contagion crosses even the narrow bridge: one contact is enough, it only takes a few weeks.
#
# This is Centola and Macy's point: complex contagions need **wide bridges**, several ties
# landing in the same group, so that people on the far side get reinforcement from more
# than one source. A single "weak tie" between two units (Granovetter's famous strength of
# weak ties) carries news, but not a behaviour that people need to see several times.

# %% [markdown]
# ## Lateral ties across units, at full size
#
# Back to 1,000 people. We now vary `org.lateral_across`, the mean number of informal ties a
# person has to *other* units (0.5 by default). For the classic rules we use the org chart
# alone: nobody follows the leaders' accounts, no leader strategy, 3 % of people (scattered
# at random) start as posters, the pilots, and people have one informal tie inside their
# unit on average (`org.lateral_within = 1`, half the default). Social learning runs with its
# own defaults (leaders model), changing only the lateral ties across units.

# %%
ACROSS = [0.0, 0.5, 1.0, 2.0, 4.0]
PILOTS = {
    "org.follow_levels": 0,
    "leaders.strategy": "none",
    "people.initial_posters": 0.03,
    "org.lateral_within": 1.0,
}
SETTINGS = {
    "cascade": {**PILOTS, "mechanism.name": "independent_cascade"},
    "threshold": {**PILOTS, "mechanism.name": "threshold", "mechanism.phi": 0.25},
    "social learning": {},
}
rows = []
for rule, setting in SETTINGS.items():
    for across in ACROSS:
        params = Params().with_updates({**setting, "org.lateral_across": across})
        for seed in range(20):
            out = OrgModel(params, rng=seed, agents=False).run().outcomes()
            rows.append(out.assign(rule=rule, arm=str(across), replication=seed))
ties = pd.concat(rows, ignore_index=True)

fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
for rule in SETTINGS:
    part = ties[ties["rule"] == rule].groupby("arm", sort=False)
    left.plot(ACROSS, part["poster"].mean(), "o-", color=COLOURS[rule], lw=2, label=rule)
    right.plot(ACROSS, part["took_off"].mean(), "o-", color=COLOURS[rule], lw=2, label=rule)
left.set(
    xlabel="Informal ties to other units (per person)",
    ylabel="Share posting at week 52",
    ylim=(0, 1.02),
    title="How far it spreads (mean of 20 runs)",
)
right.set(
    xlabel="Informal ties to other units (per person)",
    ylabel="Share of runs reaching 10 %",
    ylim=(0, 1.02),
    title="Take-off",
)
left.legend(frameon=False)
plt.show()

# %% [markdown]
# - The **cascade** (simple) gains from every extra tie across units: each one is another
#   chance to jump into a new part of the organisation.
# - The **threshold** rule (complex) first gains (with no ties across units some units are
#   never reached) and then collapses: with many random ties into other units, most of the
#   people one watches have not adopted, so the *share* of adopters stays below the
#   threshold. Watts (2002) called this the window of global cascades: too few ties and
#   nothing connects, too many and every single contact weighs too little.
# - **Social learning** does not gain from more random ties either: social proof is also a
#   share (of the attention one pays), so ties to people who do not post dilute it.
#
# What carries a complex behaviour across an organisation is not the number of ties, but
# wide bridges between units, several ties landing in the same group (a project group, a
# team that sits together, several colleagues who know the same people). The paired
# differences, over the same 20 seeds:


# %%
def contrast(rule, baseline, other):
    part = ties[ties["rule"] == rule]
    row = paired_differences(part, [baseline, other], ["poster"]).iloc[0]
    return row[["mean_baseline", "mean_arm", "mean_diff", "ci_low", "ci_high"]].rename(
        f"{rule}: {other} vs {baseline} ties"
    )


contrasts = pd.DataFrame(
    [
        contrast("cascade", "0.5", "4.0"),
        contrast("threshold", "0.0", "1.0"),
        contrast("threshold", "1.0", "4.0"),
        contrast("social learning", "0.5", "4.0"),
    ]
)
display(contrasts.round(3))

# %% [markdown]
# ## Checks

# %%
# Side by side: SI reaches nearly everyone; the cascade stops part of the way; social
# learning ends with about a quarter, far below SI, and is still rising at week 52.
assert finals["SI"] > 0.95
assert 0.05 < finals["cascade"] < 0.9
assert 0.2 < finals["social learning"] < 0.5
assert curves["SI"].iloc[8] > curves["social learning"].iloc[8] + 0.5  # and much faster
assert curves["social learning"].iloc[52] > curves["social learning"].iloc[39] + 0.02
# The bridge, worked on paper: two contacts need the wide bridge; one contact does not.
team = {"o1", "o2", "o3", "o4"}
assert not team & toy["narrow", "threshold: 2 contacts"]
assert team <= toy["wide", "threshold: 2 contacts"]
assert team <= toy["narrow", "SI (one contact)"]
# Simple contagion gains from ties across units; complex contagion first gains, then loses.
assert contrasts.iloc[0]["ci_low"] > 0  # cascade: 4 vs 0.5 ties
assert contrasts.iloc[1]["ci_low"] > 0  # threshold: 1 vs 0 ties
assert contrasts.iloc[2]["ci_high"] < 0  # threshold: 4 vs 1 ties
assert contrasts.iloc[3]["ci_high"] < 0.02  # social learning: no gain from 4 vs 0.5 ties

# %% [markdown]
# ## Exercises
#
# 1. **Clustered or random?** In the full-size experiment, set `"org.team_ties": False`
#    (people no longer see their teammates). By Centola's result, which rule should suffer?
#    Which one does? If the answer surprises you, count how many people each person watches,
#    with and without team ties (`sum(model.org.layers.values()).getnnz(axis=1)`): here the
#    team ties go and nothing replaces them, and the threshold rule counts a *share*. Centola
#    compared networks in which everyone had the *same* number of contacts, clustered or
#    random. Do the same: replace the team ties by about as many random ties inside the unit
#    (`"org.team_ties": False, "org.lateral_within": 4.5`). Which rule suffers now?
# 2. **Bridge width.** In the tiny organisation, make a bridge of two ties: `P1`-`o1` and
#    `P2`-`o1`. Predict on paper what the 2-contact threshold does, then run it.
# 3. **The threshold window.** Try `"mechanism.phi"` 0.15 and 0.35 in the full-size
#    experiment. How does the window of take-off move?
# 4. **Fixed number instead of share.** Use `"mechanism.rule": "absolute"` with
#    `"mechanism.k": 2`. Do many random ties still hurt? Why not?
# 5. **Social learning with the classics' eyes.** `docs/ODD.md` 7.9 lists the settings under
#    which social learning *is* the threshold rule, step for step. Pick two of them and
#    switch them on: does the social-learning curve move towards the threshold curve?
