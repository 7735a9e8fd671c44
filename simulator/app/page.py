"""The workshop page: two paired arms side by side, their org charts, curves and levels.

Run it with ``orgsim app`` (see :mod:`simulator.app.server`). One :class:`Session` per browser
tab; the play loop runs in a thread of that tab and stops on pause, at the horizon, or when
the tab closes. Every user error becomes a message over the foot of the page; the page
keeps running. The address holds the setup and the room's guess (:mod:`simulator.app.address`),
so a reload or a link opens them again.

Built on Solara directly rather than Mesa's ``SolaraViz``: that shows one model, applies slider
changes only on reset, recomputes a spring layout on every reset and loses its styling there
(``shared/NOTES.md``); here two paired models share one cached hierarchy layout. Components
take ``version`` (a counter bumped on every change) so that they redraw when the run moves.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, cast

import solara

from simulator.app import charts
from simulator.app.address import arrive, to_query
from simulator.app.blit import pngs
from simulator.app.controls import value_text
from simulator.app.orgfile import opened_chart
from simulator.app.orgview import SIZE, OrgView, hierarchy_layout, legend_html
from simulator.app.paired import PairedRun
from simulator.app.panels import Exports, PredictPanel, SetupPanel, Toolbar
from simulator.app.predict import made, percent
from simulator.app.session import Session, Setup
from simulator.errors import SimulatorError
from simulator.plots import arm_colours
from simulator.sweep_runs import caught

CSS = """
.v-application { font-size: 18px; color: #111; }
.v-application .v-btn { font-size: 17px; text-transform: none; letter-spacing: 0; }
.v-application .v-label, .v-application .v-input, .v-application .v-select__selection {
  font-size: 17px !important; color: #111 !important; }
.orgsim-toolbar, .orgsim-toolbar .orgsim-speed { background: transparent !important; }
/* the speed, read from the back: its value in the label, a long track and a large thumb; the
   label keeps its width whatever the value, so that the bar does not move as it changes */
.orgsim-toolbar .orgsim-speed .v-label { min-width: 12.5em; font-weight: 700;
  font-variant-numeric: tabular-nums; white-space: nowrap; }
.orgsim-toolbar .orgsim-speed .v-slider__track-container { height: 6px; }
.orgsim-toolbar .orgsim-speed .v-slider__thumb { width: 22px; height: 22px; left: -11px; }
.orgsim-toolbar .orgsim-speed .v-slider__thumb::before { left: -7px; top: -7px; }
.orgsim-toolbar { flex-wrap: nowrap; align-items: center; gap: 8px; }
.orgsim-toolbar .v-label, .orgsim-toolbar .v-input { color: #fff !important; }
/* a slider's label is text to read: clicked, it set the slider to its lowest value */
.v-input__slider .v-label { pointer-events: none; }
.orgsim-toolbar .orgsim-week { font-size: 24px; font-weight: 700; color: #fff; margin: 0 8px;
  white-space: nowrap; min-width: 8.2em; text-align: right; }
/* the buttons stay put as the week gains a digit and Play turns into Pause */
.orgsim-toolbar .orgsim-play { min-width: 7.2em; }
@media (max-width: 1599px) { .v-app-bar .v-toolbar__title { display: none; } }
@media (max-width: 599px) {  /* a phone: the setup panel leaves a strip to tap it shut */
  .v-navigation-drawer { min-width: 0 !important; width: 85vw !important; } }
@media (max-width: 959px) {
  .orgsim-toolbar { gap: 4px; }
  .orgsim-toolbar .v-btn { min-width: 0 !important; padding: 0 8px !important; }
  .orgsim-toolbar .v-btn .v-btn__content { font-size: 0; }
  .orgsim-toolbar .v-btn .v-btn__content .v-icon { font-size: 24px; margin: 0; }
  .orgsim-toolbar .orgsim-week { font-size: 18px; margin: 0 4px; }
  .orgsim-toolbar .orgsim-speed { min-width: 110px !important; }
  .orgsim-toolbar .orgsim-speed .v-label { min-width: 0; }
  .orgsim-toolbar .orgsim-speed .v-label { font-size: 0 !important; } }  /* a tablet: no label */
@media (max-width: 599px) { .orgsim-toolbar .orgsim-speed { display: none !important; } }
.orgsim-arm-head { display: flex; flex-wrap: wrap; align-items: baseline; column-gap: 18px; }
.orgsim-arm-title { font-size: 26px; font-weight: 700; }
.orgsim-arm-stats { font-size: 20px; }
/* an arm narrower than its title and shares on one line (a 1024-pixel projector): both arms
   put them on two lines, so that one arm's org view does not sit lower than the other's */
.orgsim-arm-panel0, .orgsim-arm-panel1 { container-type: inline-size; }
@container (max-width: 549px) {
  .orgsim-arm-head { flex-direction: column; align-items: flex-start; }
  .orgsim-arm-stats { font-size: min(20px, 4.6cqi); } }
.orgsim-org { font-size: 14px; color: #333; }
.orgsim-message { font-size: 19px; }
/* messages lie over the foot of the window, beside the setup panel (where the charts are
   empty: a change starts the run again at week 0), on white, rather than push the org views
   and charts down: a box of no height at the page's end, kept at the window's foot */
.orgsim-messages { position: sticky; bottom: 12px; height: 0; z-index: 7; }
.orgsim-messages-box { position: absolute; bottom: 0; left: 50%; transform: translateX(-50%);
  width: max-content; max-width: min(1100px, 100%);
  display: flex; flex-direction: column; gap: 8px; }
.orgsim-messages .v-alert { margin: 0; background-color: #fff !important;
  box-shadow: 0 3px 14px rgba(0, 0, 0, 0.35); }
.orgsim-messages .v-alert .v-btn { margin-left: 12px; }
.v-application p.orgsim-text { font-size: 18px; color: #111; margin: 6px 0; }
.v-application p.orgsim-text strong { font-weight: 700; }
.orgsim-panel img { width: 100%; height: auto; object-fit: contain; }
.orgsim-legend { display: flex; flex-wrap: wrap; justify-content: center; column-gap: 22px;
  font-size: 18px; margin: 4px 0; }
.orgsim-legend-item { display: inline-flex; align-items: center; gap: 6px; white-space: nowrap; }
.orgsim-legend-item img { width: 26px; height: 26px; }
.orgsim-predict { display: flex; flex-wrap: wrap; align-items: center; column-gap: 16px;
  padding: 6px 14px; border: 1px solid #ccc; border-radius: 6px; margin: 4px 0 8px 0; }
.orgsim-predict .orgsim-guess { max-width: 180px; }
"""
# the charts take what the window's height leaves them (charts.fitted), and the org views
# what is left after the charts, at their column's width (view_size); both are drawn at the
# size they are shown, so that their text and marks are at their own size
CSS += f"""
.orgsim-panel img.orgsim-chart {{
  max-height: calc(50vh - {charts.KEPT}px); min-height: {charts.LOWEST}px; }}
"""


HANDOVER_GAP = 0.02
"""Seconds the play loop leaves between weeks when another thread rendered the last one."""

HANDOVER_WAIT = 5.0
"""Seconds the play loop waits at most for the page to render a week (a failed render)."""


class Shown:
    """The last version the page rendered and the thread that rendered it, set by an effect
    after each render; the play loop waits on it.

    A state change made while another thread renders is rendered by that thread, in its
    render loop, which goes on until no change is left. The page's updates reach the browser
    once that thread is done (reacton and Solara, measured). So a play at 20 weeks a second
    whose first week came while the Play click was still being rendered had every next week
    rendered by the click's thread, which was never done: the page showed nothing for the
    whole run, then its last week (about one run in ten at the top speed). The loop now waits
    for each week to be rendered and, when another thread rendered it, leaves that thread a
    moment with no change, in which it finishes and the page is sent.
    """

    def __init__(self) -> None:
        self.version = -1
        self.thread: threading.Thread | None = None
        self._changed = threading.Condition()

    def set(self, version: int) -> None:
        with self._changed:
            self.version = max(self.version, version)
            self.thread = threading.current_thread()
            self._changed.notify_all()

    def wait(
        self, version: int, cancel: threading.Event, timeout: float
    ) -> threading.Thread | None:
        """The thread that rendered ``version`` (or a later one); None if none did in time."""
        deadline = time.perf_counter() + timeout
        with self._changed:
            while self.version < version:
                left = deadline - time.perf_counter()
                if cancel.is_set() or left <= 0:
                    return None
                self._changed.wait(min(left, 0.05))
            return self.thread


def play_loop(
    step: Callable[[], bool | None],
    changed: Callable[[], int],
    shown: Shown,
    cancel: threading.Event,
    playing: Callable[[], bool],
    interval: Callable[[], float],
) -> bool:
    """Step and show weeks until paused, cancelled or done; True if done (``step`` returns
    True at the end, None if paused before it stepped; ``changed`` makes the page render and
    returns the version to be shown; ``interval``: seconds a week at the chosen speed)."""
    while playing() and not cancel.is_set():
        started = time.perf_counter()
        done = step()
        if done is None:  # paused while waiting to step
            return False
        version = changed()
        if done:
            return True
        rendered_by = shown.wait(version, cancel, HANDOVER_WAIT)
        pause = interval() - (time.perf_counter() - started)
        if rendered_by is not threading.current_thread():
            pause = max(pause, HANDOVER_GAP)
        cancel.wait(max(0.0, pause))
    return False


TITLE = "orgsim workshop: modeling vs delegation"
"""The page's title before it knows its arms (:func:`title`)."""


def title(arms: Sequence[str]) -> str:
    """The page's title (in the top bar and the browser's tab): the arms it shows.

    >>> title(("model", "none")), title(("model (left)", "model (right)"))
    ('orgsim workshop: model vs none', 'orgsim workshop: model (left) vs model (right)')
    """
    return f"orgsim workshop: {arms[0]} vs {arms[1]}"


WIDE = 1400
"""Window width (px) from which the setup panel starts open. Below it the panel starts closed
(the bar's menu button opens it): on a 1280 x 720 projector the open panel left the charts
at half size, and on a phone it covered the whole page."""

wide = solara.reactive(True)  # per browser tab, as all of Solara's module-level state
window = solara.reactive((0, 0))  # the browser window's width and height, once measured


def measured(size: list[int]) -> None:
    """The window's size, on showing the page and after each resize; the setup panel is
    opened or closed the first time only (then it is the trainer's)."""
    if window.value == (0, 0):
        wide.set(size[0] >= WIDE)
    window.set((int(size[0]), int(size[1])))


@solara.component_vue("window.vue")
def Window(  # noqa: N802
    query: str,
    page_keys: list[str],
    event_measured: Callable[[list[int]], None],
    event_key: Callable[[str], None],
    event_typing: Callable[[bool], None],
) -> None:
    """The browser window: reports its size (:func:`measured`) when the page is shown and
    after a resize, keeps ``query`` in its address (replaced in place: no history entry per
    slider move), reports the ``page_keys`` pressed outside the page's inputs (:data:`KEYS`;
    not named ``keys``, which the widget's model has already), and when the typed setting
    is taken up (``typing``)."""


KEYS = {" ": "play", "k": "play", "ArrowRight": "step", "PageDown": "step"}
"""Keys the page acts on: Space (or k) plays or pauses; the right arrow, or Page Down, which
a presenter's clicker sends, steps one week."""


@solara.component
def Layout(children: list[solara.Element] | None = None) -> None:  # noqa: N802
    """Solara's app layout, its setup panel closed on a narrow screen (see :data:`WIDE`)."""
    solara.AppLayout(children=children or [], sidebar_open=wide.value, title=TITLE)


@solara.component
def Page() -> None:  # noqa: N802
    router = solara.use_router()
    session, first_message, first_note = solara.use_memo(lambda: _opened(router.search), [])
    lock = solara.use_memo(threading.Lock, [])
    version = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(4.0)
    message = solara.use_reactive(first_message)
    shown = solara.use_memo(Shown, [])
    solara.use_effect(lambda: shown.set(version.value), [version.value])

    def changed() -> int:
        version.set(version.value + 1)
        return version.value

    note = solara.use_reactive(first_note)
    kept = solara.use_reactive(cast(Setup | None, None))  # a preset's setup with the room's

    def apply(setup: Setup) -> None:
        playing.set(False)
        guessed = session.open_guess()
        before = session.setup
        with lock:
            said, problem = caught(session.apply, setup)
        message.set(problem)
        notes = [text for _, text in said]  # such as a strategy rule that picks no leader
        if guessed is not None and session.open_guess() is None and not problem:
            notes.append(
                f"The room's guess ({made(guessed)}) was for the setting before this change; it"
                " comes back when the setting does."
            )
        # a preset tells its own story: the room's settings made before it (typed ones too,
        # which no slider shows) are said, and Keep them puts them back on top of it
        dropped = before.left_out(setup) if setup.preset != before.preset and not problem else ()
        if dropped:
            notes.append(preset_note(setup.preset, dropped))
        kept.set(with_settings(setup, dropped) if dropped else None)
        note.set(" ".join(notes))
        changed()

    def said() -> None:
        """The run moves on: what the page said about the change before is gone."""
        message.set("")
        note.set("")

    def step() -> None:
        with lock:
            session.run.step()
        said()
        changed()

    def reset() -> None:
        playing.set(False)
        with lock:
            session.reset()
        changed()

    def pressed(key: str) -> None:
        """A key of :data:`KEYS`, as the buttons do (nothing once the run is over: a note
        saying so pushed the final charts below a 720-pixel screen; the result line says how
        to go on)."""
        if session.run.done:
            return
        if KEYS.get(key) == "play":
            playing.set(not playing.value)
        elif KEYS.get(key) == "step":
            step()

    def record(texts: list[str]) -> bool:
        """The room's guess, in place of an earlier one; False (and a message) if refused."""
        try:
            with lock:  # not between a play's last step and its end: taken, or refused
                session.guess(texts)
        except SimulatorError as err:
            message.set(str(err))
            return False
        message.set("")
        changed()
        return True

    def play(cancel: threading.Event) -> None:
        def step() -> bool | None:
            with lock:
                if cancel.is_set() or not playing.value:  # paused while waiting for the lock
                    return None
                session.run.step()
                return session.run.done

        def interval() -> float:
            return 1.0 / speed.value

        if play_loop(step, changed, shown, cancel, lambda: playing.value, interval):
            playing.set(False)

    # not intrusive: Solara's intrusive cancel traces every line, which slows rendering ~100x
    solara.use_thread(play, dependencies=[playing.value], intrusive_cancel=False)
    solara.use_effect(lambda: said() if playing.value else None, [playing.value])

    guess = session.open_guess()
    query = to_query(  # kept in the address
        session.setup, guess.shares if guess else None, guess.week if guess else 0
    )
    # one column, whose parts keep their own margins: a gap was left for each hidden part
    # (the title, the style, the window), 18 pixels the org views now have
    with solara.Column(style={"padding": "0 16px", "gap": "0px"}):
        solara.Title(title(session.run.arms))  # (the bar's title too)
        solara.Style(CSS)
        Window(
            query=query,
            page_keys=list(KEYS),
            event_measured=measured,
            event_key=pressed,
            # typing a setting pauses a play (its weekly redraws emptied the box and lost
            # the Enter; the setting restarts the run anyway)
            event_typing=lambda _: playing.set(False),
        )
        with solara.AppBar():
            Toolbar(
                session,
                playing,
                speed,
                step,
                reset,
                lambda: apply(replace(session.setup, seed=session.setup.seed + 1)),
                version.value,
            )
        with solara.Sidebar():
            SetupPanel(session, apply, message.set, session.setup)
        Arms(session.run, version.value, view_size(window.value, wide.value))
        PredictPanel(session, record, version.value)
        Charts(session, version.value, chart_size(window.value, wide.value))
        Exports(session, version.value, lock)
        # over the window's foot (CSS), not above the arms: a message there pushed the charts
        # below a 1080-pixel screen. Always there (a message coming or going shifted the parts
        # below it, which were then rebuilt: the org views and charts flashed blank); gone
        # when the run moves on, or closed
        with solara.Div(classes=["orgsim-messages"]), solara.Div(classes=["orgsim-messages-box"]):
            if message.value:
                with solara.Error(message.value, classes=["orgsim-message"]):
                    Close(lambda: message.set(""))
            if note.value:
                with solara.Info(note.value, classes=["orgsim-message", "orgsim-note"]):
                    if kept.value is not None:
                        back = kept.value
                        solara.Button(
                            "Keep them",
                            icon_name="mdi-undo",
                            on_click=lambda: apply(back),
                            outlined=True,
                            classes=["orgsim-keep"],
                        )
                    Close(lambda: note.set(""))


@solara.component
def Close(close: Callable[[], None]) -> None:  # noqa: N802
    """A message's close button."""
    solara.Button(icon_name="mdi-close", icon=True, on_click=close, classes=["orgsim-close"])


def column_width(window: tuple[int, int], panel_open: bool) -> float:
    """Pixels of an arm's (and a chart's) column in the window (width, height; 0 before it
    is measured): beside the setup panel (400 pixels when open) and the page's margins, two
    columns but on a phone."""
    width = window[0] if window[1] else 1920
    content = width - (400 if panel_open and width >= WIDE else 0) - 56
    return content / 2 - 4 if width >= 600 else content


def preset_note(name: str, dropped: Sequence[tuple[str, Any]]) -> str:
    """What the page says when preset ``name`` left out the room's settings ``dropped``.

    >>> preset_note("zappos", [("org.size", 500), ("culture.policy", "open")])
    'Preset zappos left out the settings made before it: org.size = 500, culture.policy = open.'
    """
    settings = ", ".join(f"{path} = {value_text(value)}" for path, value in dropped)
    return f"Preset {name} left out the settings made before it: {settings}."


def with_settings(setup: Setup, settings: Sequence[tuple[str, Any]]) -> Setup:
    """``setup`` with ``settings`` (``(path, value)``) made on top of it."""
    for path, value in settings:
        setup = setup.with_update(path, value)
    return setup


def chart_size(window: tuple[int, int], panel_open: bool) -> tuple[float, float]:
    """The charts' size (inches) for the window: the height the page gives them, at most
    their column's width (:func:`~simulator.app.charts.fitted`)."""
    height = window[1] or 1080
    return charts.fitted(height, column_width(window, panel_open))


VIEW_KEPT = 290
"""Pixels of the window's height the page keeps for all but the org views and the charts:
the bar, the arms' headings, the legend, the guess and the margins (measured: 287 at
1280 x 720 with the guess boxes showing)."""

NARROW, NARROW_KEPT = 550, 80
"""In a column narrower than this (pixels), the arms' headings and the legend take two lines
each, and the page keeps this many pixels more (``CSS``'s container query)."""

VIEW_LOWEST = 170
"""The org views' least height in pixels (on a short screen the page scrolls instead)."""

VIEW_SHAPE = 1.6
"""An org view is at least this many times as wide as high (a hierarchy is wide); on a
phone, where the arms are stacked, 1.9 (the old view's shape)."""


def view_size(window: tuple[int, int], panel_open: bool) -> tuple[float, float]:
    """The org views' size (inches, at 100 pixels an inch) for the window: their column's
    width, and the height the charts leave (:data:`VIEW_KEPT`), at least
    :data:`VIEW_LOWEST`, at most the width over :data:`VIEW_SHAPE`.

    At 1280 x 720 (the setup panel closed) the views were drawn at 720 x 380 and shown at
    331 x 175, in columns 600 pixels wide: now 608 x 210.

    Before the window is measured (``(0, 0)``), the least height: views drawn for a 1080p
    screen pushed the charts below a small one until the page knew its window.

    >>> view_size((1280, 720), False), view_size((1920, 1080), True), view_size((0, 0), True)
    ((6.08, 2.1), (7.28, 4.43), (7.28, 1.7))
    """
    height = window[1]
    wide = column_width(window, panel_open)
    if not height:
        return round(wide / 100, 2), VIEW_LOWEST / 100
    if wide and (window[0] or 1920) < 600:  # a phone: the arms stacked, each as wide as the page
        return round(wide / 100, 2), round(wide / 190, 2)
    kept = VIEW_KEPT + (NARROW_KEPT if wide < NARROW else 0)
    high = max(height - kept - 100 * chart_size(window, panel_open)[1], VIEW_LOWEST)
    return round(wide / 100, 2), round(min(high, wide / VIEW_SHAPE) / 100, 2)


def _opened(search: str | None) -> tuple[Session, str, str]:
    """A tab's session opened at the address's setup and guess, on the trainer's org chart
    if ``orgsim app --org-csv`` gave one, a message if the address (or the chart) is bad,
    and the set-up's warnings (such as a strategy rule that picks no leader)."""
    chart, unread = opened_chart()
    session = Session(chart=chart)
    said, message = caught(arrive, session, search)
    message = "; ".join(part for part in (unread, message) if part)
    return session, message, " ".join(text for _, text in said)


@solara.component
def Arms(run: PairedRun, version: int, size: tuple[float, float]) -> None:  # noqa: N802
    """Both arms side by side: title, shares, organisation digest and the org view, drawn
    at ``size`` (inches, :func:`view_size`)."""
    views = solara.use_memo(lambda: org_views(run, size), [run, size])
    images = solara.use_memo(lambda: org_pngs(run, views), [views, version, run.week])
    legend = solara.use_memo(legend_html, [])
    colours = arm_colours(run.arms)
    digests = run.fingerprints
    with solara.ColumnsResponsive(12, small=6, gutters_dense=True):  # stacked on a phone
        for k, arm in enumerate(run.arms):
            shares = run.current(k).shares()
            with solara.Column(classes=["orgsim-panel", f"orgsim-arm-panel{k}"], gap="0px"):
                with solara.Div(classes=["orgsim-arm-head"]):
                    solara.HTML(
                        tag="span",
                        unsafe_innerHTML=html.escape(arm),
                        classes=["orgsim-arm-title"],
                        style=f"color: {colours[arm]}",
                    )
                    solara.Text(
                        f"Posting {percent(shares['poster'])} · listening "
                        f"{percent(shares['listener'])} · non-users {percent(shares['non_user'])}",
                        classes=["orgsim-arm-stats", f"orgsim-stats{k}"],
                    )
                solara.Text(
                    f"Organisation {digests[k]} · {run.org.n:,} people · seed {run.seed}",
                    classes=["orgsim-org", f"orgsim-org{k}"],
                )
                solara.Image(images[k], classes=["orgsim-view", f"orgsim-orgview{k}"])
    solara.HTML(tag="div", unsafe_innerHTML=legend, classes=["orgsim-legend"])


def org_views(run: PairedRun, size: tuple[float, float] = SIZE) -> tuple[OrgView, OrgView]:
    """The page's org view of each arm (its leaders, strategy leaders and delegates marked),
    ``size`` inches, both on one layout."""
    marks = run.marks()
    layout = hierarchy_layout(run.org, aspect=size[0] / size[1])
    left, right = (
        OrgView(
            run.org,
            marks["leader"],
            marks[f"strategy{k}"],
            marks[f"delegate{k}"],
            layout=layout,
            size=size,
        )
        for k in range(2)
    )
    return left, right


def org_pngs(run: PairedRun, views: tuple[OrgView, OrgView]) -> tuple[bytes, bytes]:
    """Both org views recoloured to the run's week, as PNG bytes (encoded side by side)."""
    for k, view in enumerate(views):
        snap = run.current(k)
        view.update(snap.stage, snap.posted, snap.criticised)
    left, right = pngs([(view.frames, None) for view in views])
    return left, right


@solara.component
def Charts(session: Session, version: int, size: tuple[float, float]) -> None:  # noqa: N802
    """Adoption curves of both arms (with the room's guess) and adoption by level, drawn at
    ``size`` (inches, :func:`~simulator.app.charts.fitted` to the window)."""
    run = session.run
    guess = session.open_guess()
    shares = guess.shares if guess else (None, None)

    live = solara.use_memo(lambda: charts.Live(run, shares, size), [run, shares, size])
    curves, levels = solara.use_memo(lambda: live.png(run), [live, version, run.week])
    with solara.ColumnsResponsive(12, small=6, gutters_dense=True):  # stacked on a phone
        with solara.Column(classes=["orgsim-panel"]):
            solara.Image(curves, classes=["orgsim-chart", "orgsim-curves"])
        with solara.Column(classes=["orgsim-panel"]):
            solara.Image(levels, classes=["orgsim-chart", "orgsim-levels"])
