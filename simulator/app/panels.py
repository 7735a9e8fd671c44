"""The page's panels (Solara components): setup controls, the run toolbar, predict-then-run.

Every control is drawn from a :class:`~simulator.app.controls.Control`, i.e. from the
parameter definitions; every change goes through ``apply`` (a new paired run at week 0, or a
message when the input is invalid). Components get plain callbacks, so this module holds no
state of its own.
"""

from __future__ import annotations

import contextlib
import functools
import html
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import solara

from simulator.app import charts, presets
from simulator.app.controls import Control, controls, parse_setting
from simulator.app.orgfile import chart_line, fixed_paths
from simulator.app.predict import made
from simulator.app.session import Session, Setup
from simulator.app.table import csv_name, run_csv
from simulator.errors import SimulatorError
from simulator.params import STRATEGIES, get_path

Apply = Callable[[Setup], None]
Tell = Callable[[str], None]


@solara.component
def Say(text: str, strong: str = "") -> None:  # noqa: N802
    """A paragraph of plain text (not Markdown: that would ask for KaTeX from a CDN)."""
    bold = f"<strong>{html.escape(strong)}</strong> " if strong else ""
    solara.HTML(tag="p", unsafe_innerHTML=bold + html.escape(text), classes=["orgsim-text"])


@solara.component
def SetupPanel(session: Session, apply: Apply, say: Tell, setup: Setup) -> None:  # noqa: N802
    """Preset, the two arms, sliders from the parameter definitions, a typed setting.

    Drawn again when ``setup`` (the session's) changes, not every week of a play, when its
    ~20 controls would only be compared again with what the page already shows."""
    params = session.run.params
    story = presets.preset(setup.preset)
    with solara.Column(classes=["orgsim-setup"]):

        def choose(name: str) -> None:
            apply(Setup.from_preset(name, setup.seed))

        solara.Select(
            "Preset (a story)",
            values=presets.names(),
            value=setup.preset,
            on_value=choose,
            classes=["orgsim-preset"],
        )
        Say(story.story, strong=f"{story.title}.")
        for k, name in enumerate(("Left arm", "Right arm")):
            solara.Select(
                f"{name}: leader strategy",
                values=list(STRATEGIES),
                value=setup.arms[k],
                on_value=_arm_setter(setup, k, apply),
                classes=[f"orgsim-arm{k}"],
            )
        fixed = fixed_paths(session.chart)
        for spec in controls():
            if session.chart is not None and spec.path == "org.size":  # the chart's people
                Say(chart_line(session.chart))
            if spec.path not in fixed:
                ControlWidget(spec, get_path(params, spec.path), setup, apply)

        def typed(text: str | None) -> None:
            if not text:
                return
            try:
                path, value = parse_setting(text)
            except SimulatorError as err:
                say(str(err))
                return
            update = setup.with_update(path, value)
            if update != setup:  # (the box says it again when it loses the focus)
                apply(update)

        solara.InputText(
            "Set any parameter: path = value",
            value="",
            on_value=typed,
            classes=["orgsim-typed"],
            placeholder="culture.openness = 0.7",
        )
        Say("Paths and allowed values: orgsim params (command line).")
        Say(
            "Space plays or pauses; the right arrow, or Page Down (a presenter's clicker),"
            " steps a week.",
            strong="Keys:",
        )


@solara.component
def ControlWidget(spec: Control, value: Any, setup: Setup, apply: Apply) -> None:  # noqa: N802
    """One control: a slider, a switch or a choice, labelled from the field."""

    def set_value(v: Any) -> None:
        apply(setup.with_update(spec.path, v))

    if spec.kind == "choice":
        solara.Select(spec.label, values=list(spec.choices), value=value, on_value=set_value)
    elif spec.kind == "bool":
        solara.Switch(label=spec.label, value=bool(value), on_value=set_value)
    elif spec.kind == "int":
        low, high, step = spec.slider(value)  # one that keeps a typed value, see Control.slider
        solara.SliderInt(
            spec.shown(value),
            value=int(value),
            min=int(low),
            max=int(high),
            step=int(step),
            on_value=set_value,
        )
    else:
        low, high, step = spec.slider(value)
        solara.SliderFloat(
            spec.shown(value),
            value=float(value),
            min=low,
            max=high,
            step=step,
            on_value=set_value,
        )


@solara.component
def Toolbar(  # noqa: N802
    session: Session,
    playing: solara.Reactive[bool],
    speed: solara.Reactive[float],
    step: Callable[[], None],
    reset: Callable[[], None],
    new_seed: Callable[[], None],
    version: int,
) -> None:
    """Play / pause, step, reset, another run, speed and the week, in the page's top bar
    (always in view, also when the page is scrolled; icons only on a narrow screen)."""
    run = session.run
    with solara.Row(classes=["orgsim-toolbar"]):
        solara.Button(
            "Pause" if playing.value else "Play",
            icon_name="mdi-pause" if playing.value else "mdi-play",
            on_click=lambda: playing.set(not playing.value),
            disabled=run.done,
            color="#FFFFFF",
            style="color: #0D47A1; font-weight: 700",
            classes=["orgsim-play"],
        )
        for label, icon, act, off in (
            ("Step", "mdi-step-forward", step, run.done),
            ("Reset", "mdi-restart", reset, False),
            ("Another run", "mdi-dice-multiple", new_seed, False),
        ):
            solara.Button(label, icon_name=icon, on_click=act, disabled=off, outlined=True)
        # its value in its label (a label of fixed width: the bar stays put as it changes)
        with solara.Column(style={"min-width": "380px"}, classes=["orgsim-speed"]):
            solara.SliderFloat(
                speed_text(speed.value),
                value=speed,
                min=0.5,
                max=20,
                step=0.5,
                thumb_label=False,
            )
        solara.Text(f"Week {run.week} of {run.horizon}", classes=["orgsim-week"])


def speed_text(rate: float) -> str:
    """The speed slider's label: the rate asked for, which the page plays at or below (each
    week is shown before the next: about 7-10 weeks a second at the slider's top on a 2-core
    machine, ``bench/app_play.py``).

    >>> speed_text(4), speed_text(1), speed_text(0.5)
    ('Speed: up to 4 weeks/s', 'Speed: up to 1 week/s', 'Speed: up to 0.5 weeks/s')
    """
    return f"Speed: up to {rate:g} {'week' if rate == 1 else 'weeks'}/s"


@solara.component
def Exports(  # noqa: N802
    session: Session, version: int, lock: AbstractContextManager[Any] | None = None
) -> None:
    """This week as a slide (PNG), the run so far as an animation (GIF) and as a table (CSV,
    :mod:`~simulator.app.table`; read under ``lock``, the page's, so that a play does not
    step the run while it is written)."""
    run, week = session.run, session.run.week
    settings = [path for path, _ in session.setup.updates]

    def table() -> bytes:  # (the weeks shown when the button was: its file's name says so)
        with lock or contextlib.nullcontext():
            return run_csv(run, session.setup.preset, settings, week)

    guess = session.open_guess()
    shares = guess.shares if guess else (None, None)
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.FileDownload(
            lambda: charts.slide_png(run, guess=shares),
            filename=f"orgsim-{session.setup.preset}-week{run.week}.png",
            label="Export PNG",
            mime_type="image/png",
        )
        solara.FileDownload(
            lambda: charts.animation(run, every=charts.gif_every(run.week), guess=shares),
            filename=f"orgsim-{session.setup.preset}-to-week{run.week}.gif",
            label="Export GIF",
            mime_type="image/gif",
        )
        solara.FileDownload(
            table,
            filename=csv_name(run, session.setup.preset),
            label="Export CSV",
            mime_type="text/csv",
        )
        Say(
            f"This week as a slide, weeks 0-{run.week} as an animation, or both arms' weekly"
            " figures as a table for a spreadsheet."
            if run.week
            else "This week as a slide; after a few weeks' play, the run as an animation;"
            " the weekly figures as a table for a spreadsheet."
        )


@solara.component
def PredictPanel(  # noqa: N802
    session: Session, record: Callable[[list[str]], bool], version: int
) -> None:
    """Predict, then run: the room's guess of the share posting at the horizon, per arm.

    A guess can be changed until the run is over (it stands until a new one is recorded);
    once it is, the result is shown against the guess, and a guess is taken again after
    Reset or Another run."""
    run = session.run
    guess = session.open_guess()
    texts, set_texts = solara.use_state(["", ""])
    # what was typed last, as it comes: during a play the page renders late, and a handler
    # of the last render knew only the boxes' values then ('' for the one typed since)
    typed = solara.use_ref(["", ""])
    editing, set_editing = solara.use_state(False)

    def type_in(k: int, value: str | None) -> None:
        typed.current = [value or "" if j == k else old for j, old in enumerate(typed.current)]
        set_texts(list(typed.current))

    def save() -> None:
        if record(list(typed.current)):
            set_editing(False)

    def cleared() -> None:  # boxes typed for another setting (other arms) start empty
        typed.current = ["", ""]
        set_texts(["", ""])
        set_editing(False)

    solara.use_effect(cleared, [session.setup])

    with solara.Div(classes=["orgsim-predict"]):
        if guess is None and run.done:
            Say("Reset (or Another run) to guess before the next run.", strong="Predict, then run.")
        elif guess is None or (editing and not run.done):
            Say(f"Share of staff posting after {run.horizon} weeks?", strong="Predict, then run.")
            for k, arm in enumerate(run.arms):
                solara.InputText(
                    f"{arm} (%)",
                    value=texts[k],
                    on_value=functools.partial(type_in, k),
                    continuous_update=True,
                    classes=["orgsim-guess", f"orgsim-guess{k}"],
                )
            solara.Button("Record guess", on_click=save, color="primary", classes=["orgsim-record"])
            if guess is not None:
                solara.Button("Keep guess", on_click=lambda: set_editing(False), outlined=True)
        else:
            verdict = session.verdict()
            if verdict:  # as the guess was said: a box in the box, in small blue type, was
                # taller (the charts' axis went below a 720-pixel screen) and hard to read
                Say(verdict, strong="Result:")
            else:
                Say(
                    f"{made(guess)} (at week {guess.week}); the dashed marks on the curves.",
                    strong="The room guessed:",
                )

                def change() -> None:
                    typed.current = [f"{100 * s:g}" for s in guess.shares]
                    set_texts(list(typed.current))
                    set_editing(True)

                solara.Button("Change guess", icon_name="mdi-pencil", on_click=change)


def _arm_setter(setup: Setup, k: int, apply: Apply) -> Callable[[str], None]:
    def set_arm(strategy: str) -> None:
        apply(setup.with_arm(k, strategy))

    return set_arm
