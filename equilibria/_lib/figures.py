"""Figures the package makes: created once here so they behave in scripts and notebooks alike.

Every plotting function of the package that makes its own figure calls :func:`new_figure` (or
:func:`figure_axes`), which

- creates it through pyplot, so ``plt.show()`` and ``plt.savefig`` in a script, and the image
  scrapers of sphinx-gallery, see it as usual; but
- when pyplot's backend is Jupyter's inline backend, removes it from pyplot's figure manager at
  once (``plt.close(fig)``): the inline backend would otherwise show every open figure at the
  end of the cell *and* the cell's value (the returned figure) again, i.e. twice.  The closed
  figure is still a complete figure: it displays as the cell's value, ``display(fig)`` and
  ``fig.savefig`` work.

A figure passed in through ``ax=`` belongs to the caller: the package draws on the axes and
never calls ``tight_layout``, ``set_layout_engine``, ``set_size_inches``, ``subplots_adjust`` or
``suptitle`` on it (layout is set only on figures made here, as ``layout="constrained"``).
"""

from __future__ import annotations

__all__ = ["new_figure", "figure_axes", "inline_backend", "mark_thin_regions", "cell_edges"]


def inline_backend() -> bool:
    """Whether pyplot draws through Jupyter's inline backend (``%matplotlib inline``).

    Returns
    -------
    bool
    """
    import matplotlib

    backend = str(matplotlib.get_backend()).lower()
    return "inline" in backend


def new_figure(**kwargs):
    """A new figure, closed from pyplot's manager under the inline backend (module docstring).

    Parameters
    ----------
    **kwargs
        Passed to ``matplotlib.pyplot.figure`` (``figsize``, ``layout``, ...).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    fig = plt.figure(**kwargs)
    if inline_backend():
        plt.close(fig)
    return fig


def figure_axes(ax=None, *, figsize=(6.4, 4.8), layout: str | None = "constrained",
                **subplots_kw):
    """The figure and axes to draw on: the caller's ``ax`` (and its figure, left as it is), or
    a new figure from :func:`new_figure` with ``fig.subplots(**subplots_kw)``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
        The caller's axes.
    figsize : (float, float)
        Size of a new figure, inches.
    layout : str or None, default "constrained"
        Layout engine of a new figure.
    **subplots_kw
        Passed to ``Figure.subplots`` (``nrows``, ``ncols``, ``sharex``, ``height_ratios``...).

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : Axes or array of Axes
        ``ax`` itself when given.
    own : bool
        Whether the figure was made here (only then may its layout be changed).
    """
    if ax is not None:
        return ax.figure, ax, False
    fig = new_figure(figsize=figsize, layout=layout)
    return fig, fig.subplots(**subplots_kw), True


def mark_thin_regions(ax, img, xs, ys, colors, *, share: float = 0.02,
                      max_cells: int = 200) -> set:
    """Outline the cells of categories too thin to see in a categorical image.

    A category (an integer value of ``img``) that covers at most ``share`` of the cells (and
    at most ``max_cells`` cells) is a few pixels wide in a regime or basin image: its cells get
    a square marker in the category's colour with a black edge, drawn over the image, so a
    regime that exists on one row or one column of the grid is still visible.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes holding the image.
    img : ndarray (ny, nx) of int
        Category of each cell (rows along ``ys``).
    xs, ys : ndarray
        Cell centres along the columns and the rows.
    colors : sequence
        Colour of category ``k`` at ``colors[k]``.
    share : float, default 0.02
        Largest share of the cells that counts as thin.
    max_cells : int, default 200
        Largest number of cells marked per category.

    Returns
    -------
    set of int
        The categories marked.
    """
    import numpy as np

    img = np.asarray(img)
    thin = set()
    values, counts = np.unique(img, return_counts=True)
    for val, cnt in zip(values.tolist(), counts.tolist(), strict=True):
        if cnt <= max(share * img.size, 0) and cnt <= max_cells and cnt < img.size:
            jj, ii = np.nonzero(img == val)
            ax.plot(np.asarray(xs)[ii], np.asarray(ys)[jj], "s", ms=5, mfc=colors[val],
                    mec="k", mew=0.8, ls="", zorder=4)
            thin.add(int(val))
    return thin


def cell_edges(v):
    """Edges of the cells centred on the sorted values ``v`` (for ``pcolormesh``): midpoints
    between neighbours, the outer cells mirrored; a single value gets the cell ``v +- 1/2``.

    Parameters
    ----------
    v : array_like (k,)

    Returns
    -------
    ndarray (k + 1,)
    """
    import numpy as np

    v = np.asarray(v, dtype=float)
    if v.size == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = 0.5 * (v[1:] + v[:-1])
    return np.concatenate([[v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]])
