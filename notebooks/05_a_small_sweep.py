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
# # 5. A small sweep: scenario file, results, report
#
# **Question:** does modeling's lead over delegation depend on how open the culture is?
#
# Notebooks 2 to 4 ran small loops by hand. For a real study you write the question down as
# a **scenario file** and let `orgsim` run it: the file says which parameters are fixed,
# which **arms** (variants) to compare, which parameters to **sweep**, how many
# replications, and one root seed. `orgsim` checks the whole file before running anything,
# runs the arms paired on common random numbers, writes every run to a results folder as it
# finishes (so an interrupted sweep resumes), and writes a report. The format is described
# in `scenarios/README.md`; the shipped scenarios in `scenarios/` are complete examples.

# %%
# %matplotlib inline
import shutil
from pathlib import Path

from IPython.display import Image, display

from simulator.analysis import contrasts, summarise
from simulator.plots import STAGE_COLOURS, STAGE_LABELS
from simulator.report import write_report
from simulator.results import load, rebuild
from simulator.robustness import robustness
from simulator.scenario import ScenarioError, load_scenario
from simulator.sweep import run, sweep
from simulator.sweep_plots import arm_curves, outcome_vs_parameter

# Everything this notebook writes goes into one folder, emptied first: a results folder
# belongs to one scenario, and orgsim refuses to mix the results of an edited one into it.
WORK = Path("results") / "05_small_sweep"
shutil.rmtree(WORK, ignore_errors=True)
WORK.mkdir(parents=True)
print("writing to", WORK.resolve())

# %% [markdown]
# ## The scenario file
#
# A TOML file. Its header comment and `question` state the question. Two arms, one axis with
# three values, 20 replications: 3 design points x 2 arms x 20 = 120 runs of a 1,000-person
# organisation over a year. Besides the built-in outcomes (the share posting at the end,
# weeks to 10 % posting, ...), `[outcomes]` defines one of our own: the share posting after
# a quarter, week 13.

# %%
SCENARIO = """\
# Question: does modeling's lead over delegation depend on how open the culture is?
[scenario]
name = "openness_small"
question = "Does modeling's lead over delegation depend on how open the culture is?"
seed = 20260101
replications = 20
steps = 52

[params]
org.size = 1000

[arms.model]
leaders.strategy = "model"

[arms.delegate]
leaders.strategy = "delegate"

[[axes]]
param = "culture.openness"
values = [0.3, 0.5, 0.7]

[design]
kind = "grid"

[outcomes]
poster_w13 = { series = "poster", at = 13, label = "Share posting after a quarter" }
"""
scenario_file = WORK / "openness_small.toml"
scenario_file.write_text(SCENARIO)
scenario, plan = load_scenario(scenario_file)
print(
    f"{plan.run_count} runs: {len(plan.points)} design points x {len(plan.arms)} arms x "
    f"{plan.replications} replications; swept: {plan.axis_names}"
)

# %% [markdown]
# `load_scenario` validated the file and turned it into a **plan**: the list of runs, each
# with its own seed derived from the root seed and its (design point, replication). Both arms
# of a replication get the same seed: the same organisation and the same random draws.
#
# The file is checked before anything runs. A typo is an error that names the key and
# suggests the right one:

# %%
broken = WORK / "broken.toml"
broken.write_text(SCENARIO.replace("replications =", "replication ="))
try:
    load_scenario(broken)
except ScenarioError as error:
    message = str(error)
    print(message)

# %% [markdown]
# ## Running it
#
# `sweep` runs the plan into a results folder. `workers=1` runs in this notebook's own
# process; on the command line, `orgsim sweep openness_small.toml --workers 2` does the same
# with two processes, and the results are identical, bit for bit.

# %%
out = WORK / "results"
first = sweep(plan, out, workers=1)
print(first)

# %% [markdown]
# Run it again: every finished run is found in the folder and skipped. This is how an
# interrupted sweep resumes.

# %%
second = sweep(plan, out, workers=1)
print(second)

# %% [markdown]
# ## The results dataset
#
# The folder holds Parquet tables and a `manifest.json` (the scenario as run, its digest,
# versions, the root seed); `.sweep.lock` keeps two sweeps from writing into it at once.
# `load` reads the tables back as pandas tables: `outcomes` has one row per run, `series`
# one row per run and week, `levels` one row per run, week and level.

# %%
results = load(out)
print(sorted(p.name for p in out.iterdir()))
print("arms:", results.arms, "| axes:", results.axes)
columns = ["point", *results.axes, "arm", "replication", "poster", "t10", "took_off"]
results.outcomes[columns].head(6)

# %% [markdown]
# ## Analysis
#
# `summarise` describes each outcome per design point and arm (mean, confidence interval,
# quantiles, take-off probability); `contrasts` gives the paired differences of each arm
# against the first one (here `delegate - model`), per design point. The tables show the
# swept parameters (`results.axes`) and the arm of each row.

# %%
summary = summarise(results.outcomes)
summary[summary["metric"] == "poster"][
    [*results.axes, "arm", "n", "mean", "ci_low", "ci_high", "q10", "q90"]
].round(3)

# %%
paired = contrasts(results.outcomes, results.arms, ["poster", "t10"])
paired[[*results.axes, "arm", "metric", "mean_diff", "ci_low", "ci_high", "n"]].round(3)

# %% [markdown]
# Our own outcome, `poster_w13`, is a column like the built-in ones: the same paired
# contrasts give the gap a quarter in, when a slow start still shows.

# %%
early = contrasts(results.outcomes, results.arms, ["poster_w13"])
early[[*results.axes, "arm", "metric", "mean_diff", "ci_low", "ci_high"]].round(3)

# %% [markdown]
# **Which strategy holds up whatever the culture?** `robustness` ranks the arms over the
# design points: the mean of the point means, the worst point, and the *regret* (how far an
# arm falls short of the best arm at each point), with a 95 % interval from resampling the
# replications (`orgsim robustness <folder>` on the command line; a section of the report).

# %%
held = robustness(results, "poster")
held[["arm", "mean", "worst", "worst_label", "mean_regret", "regret_low", "regret_high"]].round(3)

# %%
display(outcome_vs_parameter(summary, "culture.openness", "poster", arms=results.arms))
display(arm_curves(results.series, "poster", arms=results.arms, point_labels=results.point_labels))

# %% [markdown]
# Modeling's lead grows with openness: in the more closed culture (0.3) the two strategies
# are much closer, in the open one (0.7) modeling is far ahead. This is what notebook 4 found by
# hand, now as a reproducible study that anyone can rerun from one file.

# %% [markdown]
# ## The report
#
# `write_report` (or `orgsim report <folder>` on the command line) writes the summary and
# contrast tables as CSV, the figures as PNG and one self-contained `report.html` to open in
# a browser. One of its figures shows how deep into the hierarchy posting reached, per arm:

# %%
report = write_report(out)
print("report:", report.resolve())
print(sorted(p.name for p in report.parent.iterdir()))
levels_figure = report.parent / "level_adoption.png"  # one of the report's figures
display(Image(filename=str(levels_figure)))

# %% [markdown]
# ## Any run can be rebuilt alone
#
# Each row of the results carries what rebuilds it. `rebuild` gives the run's specification
# from the manifest; running it again gives the same outcome, without rerunning the rest.

# %%
row = results.outcomes.iloc[7]
spec = rebuild(results, int(row["point"]), str(row["arm"]), int(row["replication"]))
again = run(spec)
print(f"run {spec.key}: stored {row['poster']:.3f}, rebuilt {again.outcomes['poster']:.3f}")

# %% [markdown]
# The same run also opens as a Mesa model (notebook 1), at week 0 with a `Person` agent per
# person: `results.model(point, arm, replication)`. Step it week by week to see where a run
# that looks odd went its own way, and look at its people as it goes. Stepped to the end,
# it is the stored run, bit for bit.

# %%
model = results.model(int(row["point"]), str(row["arm"]), int(row["replication"]))
top = next(person for person in model.people if person.manager is None)  # the top leader
while model.running:  # Mesa's running turns False at the horizon, week 52
    model.step()
    if model.week in (1, 4, 13, 26, 52):
        print(f"week {model.week:2}: {model.poster_share():.3f} posting; top leader: {top.stage}")
stepped = model.outcomes().iloc[0]
weekly = model.datacollector.get_model_vars_dataframe()  # the stage shares, a row a week
ax = weekly.rename(columns=STAGE_LABELS).plot(
    color=[STAGE_COLOURS[stage] for stage in weekly.columns],  # (the stages' colours, as elsewhere)
    xlabel="week",
    ylabel="share of people",
    title=f"Point {spec.point}, {spec.arm}, replication {spec.replication}: week by week",
)

# %% [markdown]
# ## Checks
#
# The first cell checks what holds for any scenario: every planned run ran once and was
# stored, a second sweep skipped them all, and a run rebuilt alone, or opened as a model and
# stepped to the end, gives the same outcome.

# %%
runs = len(plan.points) * len(plan.arms) * plan.replications
assert plan.run_count == runs, (plan.run_count, runs)
assert "did you mean 'scenario.replications'" in message, message
assert first.done == runs and first.failed == 0, first
assert second.skipped == runs and second.done == 0, second
assert len(results.outcomes) == runs and (results.outcomes["status"] == "ok").all()
assert report.exists() and report.name == "report.html"
assert again.outcomes["poster"] == row["poster"]
assert model.week == 52 and stepped["poster"] == row["poster"] and stepped["posts"] == row["posts"]
assert "poster_w13" in results.outcomes and set(held["arm"]) == set(results.arms)

# %% [markdown]
# The second cell checks the numbers of the scenario **as shipped** (two arms, three openness
# values, 20 replications: 120 runs). After you edit `SCENARIO` for an exercise, it stops
# with a message saying so: that is expected, not a bug.

# %%
EDITED = "for the scenario as shipped; after you edit SCENARIO, this check is expected to fail"
assert plan.run_count == 120, f"{plan.run_count} runs, expected 120 {EDITED}"
assert results.arms == ["model", "delegate"], (
    f"arms {results.arms}: expected model, delegate {EDITED}"
)
assert results.axes == ["culture.openness"], f"axes {results.axes}: expected openness {EDITED}"
poster = paired[paired["metric"] == "poster"].set_index("culture.openness")
# Modeling ahead in the middling and open cultures, and more so the more open it is.
assert poster.loc[0.5, "ci_high"] < 0 and poster.loc[0.7, "ci_high"] < 0
assert poster.loc[0.7, "mean_diff"] < poster.loc[0.5, "mean_diff"] < poster.loc[0.3, "mean_diff"]
# Modeling is the arm that holds up: the lower mean regret, best at most points.
ranked = held.set_index("arm")
assert ranked.loc["model", "mean_regret"] < ranked.loc["delegate", "mean_regret"]

# %% [markdown]
# ## Exercises: extend the study
#
# Edit `SCENARIO` above and rerun the notebook from the top (the folder is emptied first).
# The last Checks cell then stops with a message: it checks the scenario as shipped.
#
# 1. **A third arm.** Add `[arms.listen]` with `leaders.strategy = "listen"`. Where does it
#    sit? `contrasts` now compares both `delegate` and `listen` against `model`.
# 2. **A second axis.** Add another `[[axes]]` table with `param = "culture.policy"` and
#    `values = ["restrictive", "open"]`. How many runs is that? Try
#    `simulator.sweep_plots.difference_heatmap(paired, "culture.openness", "culture.policy",
#    "poster")` for the paired difference over the grid.
# 3. **More precision.** Double `replications`. How much narrower do the confidence
#    intervals get? (Roughly by a factor of 1.4: the square root of 2.)
# 4. **Sampling instead of a grid.** Replace `values` with `bounds = [0.2, 0.8]`, and the
#    design with `kind = "lhs"` and `samples = 12`: twelve openness values spread over the
#    range. Plot `outcome_vs_parameter` again.
# 5. **On the command line.** Save your scenario next to the shipped ones and run
#    `orgsim validate`, `orgsim sweep --workers 2` and `orgsim report` in a terminal
#    (README, "Scenario sweeps"). Open the `report.html` in a browser.
