"""Rebuild pretrained/gradient_runs.json: the training runs the gradients page shows at once.

Trains each (kind, clip) of `engine.gradients.DEFAULT_RUNS` with `train_long_range`'s
defaults (adding problem, seq_len 30, 1000 iterations, Adam lr 0.01, H = 32, batch 32,
seed 0) on one CPU thread, so the file is the same on every rebuild on the same machine
(and within rounding elsewhere).

    python pretrained/gradient_runs.py

Format: {"about": str, "runs": {run_key: TrainingRun.to_dict() without "elapsed_s"}};
read a run back with `TrainingRun.from_dict(data["runs"]["lstm_clip1"])`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.gradients import default_runs  # noqa: E402

OUT = Path(__file__).with_suffix(".json")


def build() -> dict:
    """Train the default runs and return the JSON-ready dict."""
    torch.set_num_threads(1)
    runs = default_runs(seed=0, on_progress=lambda f: print(f"\r{f:5.0%}", end="", flush=True))
    print()
    data = {"about": "engine.gradients.train_long_range default runs (adding problem); "
                     "rebuilt by pretrained/gradient_runs.py", "runs": {}}
    for key, run in runs.items():
        if run.stopped_early:
            raise RuntimeError(f"run {key} ended early ({run.stop_reason}); not writing")
        d = run.to_dict(digits=4)
        d.pop("elapsed_s")
        data["runs"][key] = d
    return data


def main() -> None:
    data = build()
    OUT.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KB)")
    for key, run in data["runs"].items():
        tail = run["losses"][-100:]
        print(f"  {key:12s} mean loss of the last 100 iterations {sum(tail) / len(tail):.4f}, "
              f"clipped {sum(run['clipped'])} of {len(run['clipped'])}")


if __name__ == "__main__":
    main()
