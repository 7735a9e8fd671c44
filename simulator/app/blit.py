"""Frames of a figure whose few artists move: the rest drawn once, the moving ones over it.

The workshop page redraws its org views and charts every week of a play. A full matplotlib
draw lays out and renders every tick label, title and legend each time (about 25-35 ms a
chart), although only the curves, bars and marks move. :class:`Blit` draws the figure once
without its moving artists, keeps that image (matplotlib's ``copy_from_bbox``), and makes
each frame by restoring it and drawing the moving artists over it in the order a full draw
would (``draw_artist``): the same pixels as a full draw, in a fraction of the time. When
something still changes (an axis limit), the caller passes another ``key`` and the still
image is drawn again. The frame is encoded to PNG straight from the canvas' buffer.

Examples
--------
>>> import numpy as np
>>> from matplotlib.backends.backend_agg import FigureCanvasAgg
>>> from matplotlib.figure import Figure
>>> fig = Figure(figsize=(2, 1)); _ = FigureCanvasAgg(fig); ax = fig.add_subplot()
>>> (line,) = ax.plot([0, 1], [0, 1])
>>> frames = Blit(fig, [line])
>>> frames.png()[:4] == b"\\x89PNG"
True
>>> line.set_ydata([1, 0]); np.array_equal(frames.pixels(), full_draw(fig))
True
"""

from __future__ import annotations

import io
from collections.abc import Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

PNG_LEVEL = 1
"""zlib level of the frames' PNGs: level 1 encodes an org view in about two thirds of the
time of matplotlib's level 6 (6.8 against 10.5 ms at 1,500 people) for a file 6 % larger."""


def full_draw(figure: Figure) -> np.ndarray:
    """The figure's pixels (RGBA) after a full draw: what :class:`Blit` must equal."""
    canvas = _canvas(figure)
    canvas.draw()
    return np.array(canvas.buffer_rgba())


def png_of(pixels: np.ndarray, dpi: float) -> bytes:
    """RGBA ``pixels`` as PNG bytes (with the figure's resolution, as ``savefig`` writes);
    RGB when every pixel is opaque, which encodes about a fifth faster."""
    buffer = io.BytesIO()
    if bool((pixels[..., 3] == 255).all()):
        image = Image.fromarray(np.ascontiguousarray(pixels[..., :3]), "RGB")
    else:
        image = Image.fromarray(pixels, "RGBA")
    image.save(buffer, format="png", compress_level=PNG_LEVEL, dpi=(dpi, dpi))
    return buffer.getvalue()


_ENCODERS: ThreadPoolExecutor | None = None


def pngs(frames: Sequence[tuple[Blit, Hashable]]) -> list[bytes]:
    """Each frame ``(blit, key)`` as PNG bytes: drawn one after the other (matplotlib is not
    thread-safe), encoded side by side (Pillow lets go of the GIL while it compresses)."""
    global _ENCODERS
    if _ENCODERS is None:
        _ENCODERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="orgsim-png")
    drawn = [(blit.pixels(key), blit.figure.dpi) for blit, key in frames]
    return list(_ENCODERS.map(lambda frame: png_of(*frame), drawn))


class Blit:
    """Frames of ``figure`` in which only ``moving`` artists change (see the module).

    The moving artists are drawn over the still image in the order of a full draw: by
    ``zorder``, ties in the order given. An artist that is not visible is not drawn.
    """

    def __init__(self, figure: Figure, moving: Sequence[Artist]) -> None:
        self.figure = figure
        self.canvas = _canvas(figure)
        order = sorted(range(len(moving)), key=lambda k: (moving[k].get_zorder(), k))
        self.moving = [moving[k] for k in order]
        self._still: Any = None
        self._key: Hashable = None

    def pixels(self, key: Hashable = None) -> np.ndarray:
        """This frame's pixels (RGBA, a copy); a ``key`` unlike the last redraws the still
        parts first."""
        if self._still is None or key != self._key:
            shown = [artist.get_visible() for artist in self.moving]
            for artist in self.moving:
                artist.set_visible(False)
            self.canvas.draw()
            self._still = self.canvas.copy_from_bbox(self.figure.bbox)
            self._key = key
            for artist, visible in zip(self.moving, shown, strict=True):
                artist.set_visible(visible)
        else:
            self.canvas.restore_region(self._still)
        for artist in self.moving:
            if artist.get_visible():
                self.figure.draw_artist(artist)
        return np.array(self.canvas.buffer_rgba())

    def png(self, key: Hashable = None) -> bytes:
        """This frame as PNG bytes (see :meth:`pixels`)."""
        return png_of(self.pixels(key), self.figure.dpi)


def _canvas(figure: Figure) -> FigureCanvasAgg:
    canvas = figure.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        canvas = FigureCanvasAgg(figure)
    return canvas
