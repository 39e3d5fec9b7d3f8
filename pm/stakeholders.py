"""The stakeholders' influence / interest map drawn from parties-prenantes.csv."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from pm import config  # noqa: E402
from pm.data import numbers, read  # noqa: E402

QUADRANTS = ((1.5, 4.6, "satisfaire"), (4.5, 4.6, "gérer étroitement"),
             (1.5, 0.6, "surveiller"), (4.5, 0.6, "tenir informé"))


def draw(folder: Path | None = None, out: Path | None = None) -> Path:
    """Write img/cartographie-parties-prenantes.png: interest across, influence up, one dot each."""
    folder = folder or config.docs_dir()
    out = out or folder / "img" / "cartographie-parties-prenantes.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    frame = read("parties-prenantes.csv", folder)
    influence = numbers(frame, "influence", "parties-prenantes.csv")
    interest = numbers(frame, "interet", "parties-prenantes.csv")
    fig, ax = plt.subplots(figsize=(10, 6.5), dpi=110)
    ax.axhline(3.5, color="grey", lw=0.8)
    ax.axvline(3.5, color="grey", lw=0.8)
    for x, y, label in QUADRANTS:
        ax.text(x, y, label, ha="center", color="grey", style="italic")
    ax.scatter(interest, influence, s=60, zorder=3)
    seen: dict[tuple[float, float], int] = {}
    for name, x, y in zip(frame["partie_prenante"], interest, influence, strict=True):
        shift = seen.get((x, y), 0)
        seen[(x, y)] = shift + 1
        left = x < 3.5  # labels of the left half read leftwards, away from the centre line
        ax.annotate(name.split(" (")[0], (x, y), xytext=(-6 if left else 6, 6 - 13 * shift),
                    textcoords="offset points", fontsize=11, ha="right" if left else "left")
    ax.set(xlim=(0.2, 6.6), ylim=(0.3, 5.4), xlabel="intérêt pour le projet (1 à 5)",
           ylabel="influence sur le projet (1 à 5)", title="Cartographie des parties prenantes")
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return out
