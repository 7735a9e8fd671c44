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
# # 6. Your own org chart: from an HR export to a study
#
# **Question:** in *our* organisation, would leaders who post themselves spread active use
# further than leaders who delegate, and how far down the hierarchy should the posting
# leaders go?
#
# Notebooks 1 to 5 ran on generated organisations: a tidy tree with about six reports per
# manager. A real organisation is lumpier: a warehouse with wide teams, a small finance
# department, specialists who report straight to a director, an assistant in the chief
# executive's office. If you have an export of your own organisation from the HR system,
# the model can run on it. This notebook takes the path a researcher with such an export
# would take:
#
# 1. read the table, check it and look at it,
# 2. run one paired comparison on it (modeling vs delegation),
# 3. write the study down as a scenario file on the chart, sweep it and analyse the results,
# 4. see what the common mistakes in such a table look like, and what the reader says.
#
# The organisation here, **Acme**, is made up: a logistics company with a few hundred people
# in six departments and a small executive office. Its table, `data/acme_org.csv`, is laid
# out as an HR export would be (`data/make_acme.py` made it). To use your own, point `CHART`
# below at your file; everything else runs as it is.

# %%
# %matplotlib inline
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

from simulator import OrgModel, Params
from simulator.analysis import contrasts, paired_differences, summarise
from simulator.orgimport import Chart, OrgChartError
from simulator.plots import arm_colours, compare_figure, org_chart
from simulator.results import load
from simulator.scenario import ScenarioError, load_scenario
from simulator.sweep import sweep
from simulator.sweep_plots import outcome_vs_parameter

# The example tables ship with the notebooks, in notebooks/data/.
DATA = Path("data")
ACME = DATA / "acme_org.csv"
CHART = ACME  # your own: CHART = Path("/path/to/your_export.csv")
TIES = DATA / "acme_ties.csv"  # Acme's informal ties, from a survey (optional)

# Everything this notebook writes goes into one folder, emptied first (as in notebook 5).
WORK = Path("results") / "06_own_org_chart"
shutil.rmtree(WORK, ignore_errors=True)
WORK.mkdir(parents=True)
print("reading", CHART)
print("writing to", WORK.resolve())

# %% [markdown]
# ## The table: one row per person
#
# The model needs two columns: `id` (anything unique: an employee number, an e-mail
# address) and `manager_id` (the id of the person's manager; empty for the one person at the
# top). Three more are optional: `unit` (the department), `title` (the job title) and
# `level` (the grade, 0 at the top, counting down: a manager's level is never greater than
# their reports'). Other columns are ignored, so a full export with names and start dates
# can be read as it is (but you do not need names: ids are enough, and safer to share).
# Cells may be separated by commas, semicolons or tabs; the main README (search for
# `--org-csv`) has every detail.
#
# First, look at the file as it is, with pandas:

# %%
table = pd.read_csv(CHART, dtype=str, keep_default_na=False)
print(f"{len(table)} rows; columns: {', '.join(table.columns)}")
table.head(6)

# %% [markdown]
# The rows are sorted by employee number, not by the hierarchy: a manager's row is often
# further down than their reports' rows. That is normal for an export and does not matter.
#
# `Chart.read` reads the table and checks all of it: every id unique, every manager an id
# of the table, one person at the top, no loops in the reporting lines, levels that count
# down. `describe()` says what identifies the chart: its number of people and the SHA-256
# fingerprint of the file. A results folder records this fingerprint, so results made on a
# chart that was edited later are never mixed with results on the new one.

# %%
chart = Chart.read(CHART)
chart.describe()

# %% [markdown]
# ## Looking at it
#
# The table fixes the people, the reporting lines, the departments, the titles and the
# grades. What it does not say, the model draws for each replication, as it does for a
# generated organisation: the informal ties between people (`org.lateral_within` and
# `org.lateral_across` per person), who follows the top leaders' accounts, and each
# person's audience outside. `chart.org(...)` builds one replication's organisation from
# the chart and a random-number generator:

# %%
params = Params()
org = chart.org(params.org, np.random.default_rng(1))
print(f"{org.n} people on {org.levels} levels, {int(org.is_leader.sum())} of them with reports")
print(f"informal ties drawn for this replication: {len(org.lateral)}")
differ = int((org.level != chart.table.depth).sum())
print(f"{differ} people are on a level other than their number of steps below the top")

# %% [markdown]
# `describe()` above is a fingerprint, not a summary. For a first look, count the people
# per unit (department) and level:

# %%
unit = pd.Series(np.asarray(org.unit_names)[org.unit], name="unit")
level = pd.Series(org.level, name="level")
pd.crosstab(unit, level, margins=True, margins_name="all")

# %% [markdown]
# Levels in the model are the table's grades when it has a `level` column (without one,
# they are counted down the reporting lines). In Acme they differ from the reporting lines
# for some people (the count above): staff of the smaller departments report straight to a
# manager, and the executive assistant to the chief executive, yet they have the staff
# grade of the warehouse operatives, the bottom level. In the drawing, each row is a level;
# the dark grey lines are reporting lines, the thin pale green ones informal ties. The dots
# are people, coloured by department (Customer Service's are a darker green than the ties).
#
# If you know who actually talks to whom (from a network survey, say), a **ties table**
# (columns `source` and `target`, ids of the org table) gives exactly those informal ties,
# the same in every replication, instead of drawing them. The right panel uses Acme's
# `acme_ties.csv`.

# %%
surveyed = chart.with_ties(TIES)
surveyed_org = surveyed.org(params.org, np.random.default_rng(1))
fig, (left, right) = plt.subplots(1, 2, figsize=(16, 5), layout="constrained")
org_chart(org, title=f"Informal ties drawn ({len(org.lateral)})", ax=left)
org_chart(surveyed_org, title=f"Informal ties surveyed ({len(surveyed_org.lateral)})", ax=right)
right.get_legend().remove()
plt.show()
print(surveyed.describe())

# %% [markdown]
# The rest of this notebook uses the HR table alone, as most studies will; exercise 2 adds
# the survey.
#
# ## One comparison: modeling vs delegation on Acme
#
# As in notebook 2, both strategies run on the same seeds, so each pair of runs shares its
# people and random draws; here a seed also draws the informal ties of its replication
# (the same organisation for both arms). By default the leaders who act are those with
# reports on the top two levels (`leaders.levels = 2`): the chief executive and the heads
# of department. `OrgModel` is the Mesa model; given `chart=`, it builds its organisation
# on the chart from its seed, as `orgsim run --org-csv` and a sweep's run on the chart
# build theirs from their run's seed.
# The Mesa agents then tell the department of each person, for a look by department at the
# end.

# %%
SEEDS = range(20)  # replications: the same 20 seeds for both arms
STRATEGIES = {"model": {"leaders.strategy": "model"}, "delegate": {"leaders.strategy": "delegate"}}


def run_arms(chart, arms, seeds=SEEDS):
    """Run each arm (a dict of parameter changes) on the chart, on the same seeds.

    Returns the per-run outcomes, the per-week series, and the share posting at the end
    per department (one row per arm, seed and department).
    """
    outcomes, series, units = [], [], []
    for arm, updates in arms.items():
        params = Params().with_updates(updates)
        for seed in seeds:
            model = OrgModel(params, rng=seed, chart=chart).run()
            outcomes.append(model.outcomes().assign(arm=arm, replication=seed))
            series.append(model.series().assign(arm=arm, replication=seed))
            people = pd.DataFrame(
                {"unit": model.agents.get("unit"), "stage": model.agents.get("stage")}
            )
            posting = people.assign(poster=people["stage"] == "poster").groupby("unit")["poster"]
            units.append(posting.mean().reset_index().assign(arm=arm, replication=seed))
    return tuple(pd.concat(frames, ignore_index=True) for frames in (outcomes, series, units))


outcomes, series, by_unit = run_arms(chart, STRATEGIES)
by_arm = {arm: series[series["arm"] == arm] for arm in STRATEGIES}
display(compare_figure(by_arm))

# %% [markdown]
# The right panel is the difference `delegate - model` in the share posting, seed by seed.
# As a table with 95 % confidence intervals of the mean paired difference: the share
# posting after a year, the same for the staff grade alone (`frontline_poster`, the bottom
# level), and the week in which 10 % were posting (`t10`, over the runs that got there):

# %%
difference = paired_differences(outcomes, list(STRATEGIES), ["poster", "frontline_poster", "t10"])
difference[["metric", "mean_baseline", "mean_arm", "mean_diff", "ci_low", "ci_high", "n"]].round(3)

# %% [markdown]
# `mean_baseline` is modeling, `mean_arm` delegation. On Acme's chart the answer of
# notebook 2 holds: with the same number of posts a week, leaders who post themselves take
# more of the organisation with them than leaders who delegate.
#
# A chart of your own lets you ask *where*: which departments follow their leaders? The
# mean share posting after a year, per unit:

# %%
colours = arm_colours(list(STRATEGIES))
units = by_unit.groupby(["unit", "arm"])["poster"].mean().unstack()[list(STRATEGIES)]
units = units.sort_values("model")
ax = units.plot.barh(figsize=(8, 4), color=[colours[arm] for arm in units.columns])
ax.set(xlabel="Share posting at week 52 (mean of 20 runs)", ylabel="", xlim=(0, 1))
ax.legend(frameon=False, loc="lower right")
plt.show()
units.round(3)

# %% [markdown]
# Under both strategies, the two large departments in which a manager *and* a team lead
# stand between the staff and their head of department, Customer Service and Operations,
# post least. The small departments post more, the executive office among them: a handful
# of people close to the chief executive, so its bar rests on very few people (see the
# count by unit and level above), and their order changes from one set of seeds to
# another. Before you read much into a department's bar, count its people.
#
# ## A study on the chart: how far down should leaders model?
#
# A question only your own chart can answer: is it enough for the chief executive to post,
# or for the heads of department, or do the managers and team leads need to post too? In
# the model this is `leaders.levels`: the leaders (people with reports) on the top *N*
# levels act. On Acme's chart that means:

# %%
LEVELS = [1, 2, 3, 4]
titles = np.asarray(org.titles)
for n in LEVELS:
    acting = org.is_leader & (org.level < n)
    added = ", ".join(sorted(set(titles[org.is_leader & (org.level == n - 1)])))
    count = int(acting.sum())
    leaders = f"{count} leader{'s' * (count > 1)}"
    print(f"leaders.levels = {n}: {leaders} ({acting.mean():.1%} of people)")
    print(f"    level {n - 1} adds: {added}")

# %% [markdown]
# As in notebook 5, the study is written down as a scenario file. The org table is copied
# beside it as `org.csv`, and `org_csv` names it (a relative path is taken from the
# scenario file's folder); `org.size` is not set, because the table sets it. Two arms, one
# axis with four values, 20 replications: 4 design points x 2 arms x 20 = 160 runs.

# %%
SCENARIO = """\
# Question: on our org chart, how far down the hierarchy must leaders post themselves,
# and does modeling beat delegation at every depth?
[scenario]
name = "how_far_down"
question = "On our org chart, how far down must leaders post, and does modeling beat delegation?"
seed = 20261201
replications = 20
steps = 52
org_csv = "org.csv"

[arms.model]
leaders.strategy = "model"

[arms.delegate]
leaders.strategy = "delegate"

[[axes]]
param = "leaders.levels"
values = [1, 2, 3, 4]

[design]
kind = "grid"
"""
shutil.copy(CHART, WORK / "org.csv")
scenario_file = WORK / "how_far_down.toml"
scenario_file.write_text(SCENARIO)
scenario, plan = load_scenario(scenario_file)
print(f"on the org chart {plan.chart.path} ({plan.chart.n} people)")
print(
    f"{plan.run_count} runs: {len(plan.points)} design points x {len(plan.arms)} arms x "
    f"{plan.replications} replications; swept: {plan.axis_names}"
)

# %% [markdown]
# `sweep` runs the plan into a results folder, here in this notebook's own process
# (`workers=1`); `orgsim sweep how_far_down.toml --workers 2` does the same on the
# command line. Each replication draws its own informal ties on the chart; the arms of a
# replication share them.

# %%
out = WORK / "results"
done = sweep(plan, out, workers=1)
print(done)
results = load(out)
print("arms:", results.arms, "| axes:", results.axes)

# %% [markdown]
# `summarise` describes each outcome per design point and arm; `contrasts` gives the paired
# difference `delegate - model` at each design point.

# %%
METRICS = ["poster", "frontline_poster"]
summary = summarise(results.outcomes, metrics=METRICS)
summary[[*results.axes, "arm", "metric", "n", "mean", "ci_low", "ci_high"]].round(3)

# %%
paired = contrasts(results.outcomes, results.arms, METRICS)
paired[[*results.axes, "arm", "metric", "mean_diff", "ci_low", "ci_high", "n"]].round(3)

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 4.6), layout="constrained")
for ax, metric in zip(axes, METRICS, strict=True):
    outcome_vs_parameter(summary, "leaders.levels", metric, arms=results.arms, ax=ax)
    ax.set_xticks(LEVELS)  # (whole levels only)
plt.show()

# %% [markdown]
# How to read it. With the chief executive alone (`leaders.levels = 1`) little happens in a
# year under either strategy, and the two cannot be told apart. Each further level of
# modeling leaders adds posters, and modeling's lead over delegation grows with it:
# delegation adds far less per level. Notebook 2 suggests why: each further delegating
# leader adds a delegate's posts, but also one more silent leader in their staff's view.
#
# A caution when you read the left panel: the leaders who model count among the posters
# themselves, and at four levels they are a noticeable part of Acme (the list above). The
# right panel, the staff grade alone, leaves them out, and tells the same story.
#
# The scenario file, the chart beside it and the results folder are the whole study:
# anyone can rerun it from the file (`orgsim validate`, `orgsim sweep`, `orgsim report`).
#
# ## Common mistakes, and what the reader says
#
# HR exports are rarely clean on the first try. Here are three mistakes that happen often,
# each made in a copy of Acme's table:
#
# - a **typo in a manager's id** (a zero too many);
# - a **comma inside a cell** that is not in quotes: `Customer Service, EMEA` splits into
#   two cells;
# - **grades numbered from the bottom up** (staff 0, chief executive 4), as many HR systems
#   number them.
#
# The reader refuses each with one line that names the file, the row (as a spreadsheet
# numbers it: the header is row 1), the column and what to do. Catching `OrgChartError`
# keeps the notebook running.

# %%
header, *rows = ACME.read_text(encoding="utf-8").splitlines(keepends=True)
k = 9  # the 10th person: row 11 of the spreadsheet (the header is row 1)
typo = rows[k].replace(",E", ",E0", 1)  # a zero too many in the manager's id
s = next(i for i, row in enumerate(rows) if ",Customer Service," in row)
comma = rows[s].replace("Customer Service", "Customer Service, EMEA")  # no quotes around it
upside_down = [f"{row.rsplit(',', 1)[0]},{4 - int(row.rsplit(',', 1)[1])}\n" for row in rows]
BROKEN = {
    "manager typo": [header, *rows[:k], typo, *rows[k + 1 :]],
    "unquoted comma": [header, *rows[:s], comma, *rows[s + 1 :]],
    "grades from the bottom": [header, *upside_down],
}
messages = {}
for name, broken_lines in BROKEN.items():
    path = WORK / f"{name.replace(' ', '_')}.csv"
    path.write_text("".join(broken_lines), encoding="utf-8")
    try:
        Chart.read(path)
    except OrgChartError as error:
        messages[name] = str(error)
        print(f"{name}:\n  {error}\n  (row {error.row}, column {error.column})\n")

# %% [markdown]
# The second message suggests which cell to put in quotes; the third counts the rows that
# break the rule and suggests the likely cause. Fix the table in the spreadsheet (or leave
# the `level` column empty: levels are then counted down the reporting lines) and read it
# again.
#
# A scenario that names a broken chart is refused the same way, before anything runs
# (`orgsim validate` prints the same lines):

# %%
shutil.copy(WORK / "manager_typo.csv", WORK / "org.csv")  # the study's chart, broken
try:
    load_scenario(scenario_file)
except ScenarioError as error:
    scenario_message = str(error)
    print(scenario_message)
_ = shutil.copy(CHART, WORK / "org.csv")  # and mended again

# %% [markdown]
# ## Checks
#
# The first cell checks what holds for any chart: the reader kept every row, a ties table
# gives exactly its ties, every planned run ran once, and each broken table was refused
# with a message naming its row.

# %%
assert chart.n == org.n == len(table)
assert len(surveyed_org.lateral) == len(pd.read_csv(TIES))  # (the table lists each tie once)
assert len(outcomes) == len(STRATEGIES) * len(SEEDS)
runs = len(plan.points) * len(plan.arms) * plan.replications
assert done.done == runs and done.failed == 0, done
assert len(results.outcomes) == runs and (results.outcomes["status"] == "ok").all()
assert sorted(messages) == sorted(BROKEN), messages
assert "unknown manager" in messages["manager typo"] and f"row {k + 2}," in messages["manager typo"]
assert "put that cell in quotes" in messages["unquoted comma"]
assert "levels count down from 0" in messages["grades from the bottom"]
assert "unknown manager" in scenario_message and "scenario.org_csv" in scenario_message

# %% [markdown]
# The second cell checks the claims of the text, for Acme's chart **as shipped** and the
# scenario as written. After you point `CHART` at your own table, or edit `SCENARIO`, it
# may stop with a message saying so: that is expected, not a bug.

# %%
EDITED = "for Acme's chart and the scenario as shipped; with your own, this may fail"
assert CHART.name == "acme_org.csv" and plan.run_count == 160, EDITED
gap = difference.set_index("metric")
# Modeling ahead on Acme, for everyone and for the staff grade.
assert gap.loc["poster", "ci_high"] < 0, (gap.loc["poster"], EDITED)
assert gap.loc["frontline_poster", "ci_high"] < 0, (gap.loc["frontline_poster"], EDITED)
# Some people's level (grade) differs from their depth in the reporting lines.
assert differ > 0, EDITED
# By department: the two with team leads post least under both strategies.
for arm in STRATEGIES:
    lowest = set(units[arm].nsmallest(2).index)
    assert lowest == {"Customer Service", "Operations"}, (units[arm], EDITED)
# The chief executive alone: little under either strategy, no clear difference.
poster = paired[paired["metric"] == "poster"].set_index("leaders.levels")
assert poster.loc[1, "ci_low"] < 0 < poster.loc[1, "ci_high"], (poster.loc[1], EDITED)
assert poster.loc[1, ["mean_baseline", "mean_arm"]].max() < 0.15, (poster.loc[1], EDITED)
# Each further level adds posters under modeling, and modeling's lead grows with it.
model_means = summary.query("metric == 'poster' and arm == 'model'")["mean"]
assert model_means.is_monotonic_increasing, (model_means, EDITED)
for metric in METRICS:
    part = paired[paired["metric"] == metric].set_index("leaders.levels")
    assert part["mean_diff"].is_monotonic_decreasing, (part, EDITED)
    assert (part.loc[2:, "ci_high"] < 0).all(), (part, EDITED)
# Delegation adds less than modeling from each level to the next.
delegate_means = summary.query("metric == 'poster' and arm == 'delegate'")["mean"]
assert (np.diff(delegate_means) < np.diff(model_means)).all(), EDITED

# %% [markdown]
# ## Exercises
#
# 1. **Your own organisation.** Export your org chart (ids and manager ids are enough; add
#    departments, titles and grades if you have them), point `CHART` at it and run the
#    notebook from the top. Read the first error message carefully if there is one: it
#    names the row and the column. Which department lags under each strategy?
# 2. **Who talks to whom.** Copy `TIES` beside the scenario file
#    (`shutil.copy(TIES, WORK / "ties.csv")`) and add `ties_csv = "ties.csv"` to
#    `[scenario]`. The informal ties are then the same in every replication. Does
#    modeling's lead change? How many of the surveyed ties cross departments, and how many
#    of the drawn ones (`org.unit[org.lateral]`)?
# 3. **No grades.** Delete the `level` column from a copy of Acme's table (in pandas:
#    `table.drop(columns="level").to_csv(path, index=False)`) and read it with `Chart.read`.
#    How many levels does Acme have now, and who moves? What does `leaders.levels = 2` mean
#    now? Then give a copy grades with gaps (0, 2, 4, ...): read the warning.
# 4. **Champions instead of levels.** Can the warehouses' shift leads, posting themselves,
#    do for Operations what the heads of department do? Compare two arms with `run_arms`:
#    in both, `"leaders.strategy": "none"` (no leader acts by level), and a rule picks the
#    models (as in `scenarios/who_models_first.toml`): `"leaders.rules": [{"who":
#    "levels=0-1", "strategy": "model"}]` in one, `[{"who": "title=Shift Lead", "strategy":
#    "model"}]` in the other. Look at the bars by department.
# 5. **A longer horizon.** With the chief executive alone, nothing much happens in a year.
#    Set `steps = 156` (three years) in `[scenario]`: does it happen later, or not at all?
# 6. **A tempting mistake.** Add `org.size = 500` to a `[params]` section of the scenario
#    and load it. What does the message say, and why?
