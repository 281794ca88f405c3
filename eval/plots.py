"""PNG plots of an evaluation run (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eval.harness import ALL, EvalRun
from eval.questions import KINDS


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def pass_rate_plot(run: EvalRun, path: Path) -> Path:
    """Grouped bars: pass rate per configuration, overall and per question kind."""
    plt = _pyplot()
    groups = [ALL] + [f"kind:{k}" for k in KINDS if any(run.summary(s.name, f"kind:{k}") for s in run.systems)]
    names = [s.name for s in run.systems]
    width = 0.8 / max(1, len(names))
    figure, axes = plt.subplots(figsize=(max(6, 1.6 * len(groups) + 2), 4.2))
    for i, name in enumerate(names):
        values = []
        for group in groups:
            summary = run.summary(name, group)
            values.append((summary.pass_rate or 0.0) * 100 if summary else 0.0)
        positions = [g + (i - (len(names) - 1) / 2) * width for g in range(len(groups))]
        bars = axes.bar(positions, values, width=width, label=name)
        axes.bar_label(bars, labels=[f"{v:.0f}" for v in values], fontsize=7, padding=1)
    axes.set_xticks(range(len(groups)), [g.removeprefix("kind:") for g in groups])
    axes.set_ylabel("pass rate (%)")
    axes.set_ylim(0, 110)
    axes.set_title(f"Pass rate per configuration and kind ({run.questions} questions)")
    axes.legend(fontsize=8, ncols=min(len(names), 6), loc="upper center", bbox_to_anchor=(0.5, -0.1), frameon=False)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path


def latency_plot(run: EvalRun, path: Path) -> Path:
    """Box plot of answer latency per configuration (log scale, milliseconds)."""
    plt = _pyplot()
    names = [s.name for s in run.systems]
    data = [[max(r.latency, 1e-5) * 1000 for r in run.results_of(name)] or [0.01] for name in names]
    figure, axes = plt.subplots(figsize=(max(6, 1.3 * len(names) + 2), 4.2))
    axes.boxplot(data, tick_labels=names, showfliers=True)
    axes.set_yscale("log")
    axes.set_ylabel("latency per answer (ms, log scale)")
    axes.set_title("Latency distribution per configuration")
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path
