"""The trainers' one-cycle schedule: OneCycleLR's shape by steps, and annealed on time under a budget.

Runs where the training extra (torch) is installed; CI's test extra has no torch and skips it."""

from __future__ import annotations

import time

import pytest

torch = pytest.importorskip("torch")

from models.training import OneCycle  # noqa: E402


def _opt() -> torch.optim.Optimizer:
    return torch.optim.AdamW(torch.nn.Linear(2, 2).parameters(), lr=1.0)


def test_by_steps_it_follows_torch_one_cycle() -> None:
    max_lr, steps = 2e-3, 400
    ref_opt, mine_opt = _opt(), _opt()
    ref = torch.optim.lr_scheduler.OneCycleLR(ref_opt, max_lr=max_lr, total_steps=steps, pct_start=0.15)
    mine = OneCycle(mine_opt, max_lr, steps, 0.15)
    assert mine_opt.param_groups[0]["lr"] == pytest.approx(max_lr / 25)
    for step in range(1, steps):
        ref_opt.step()
        ref.step()
        mine.set_lr(step)
        assert (
            abs(mine_opt.param_groups[0]["lr"] - ref_opt.param_groups[0]["lr"]) < 0.02 * max_lr
        )  # the same curve; torch ends phase one a step early
        assert not mine.done(step)
    assert mine.done(steps)
    assert mine.ended_by == "steps"


def test_a_budget_ends_the_run_on_time_annealed() -> None:
    opt = _opt()
    sched = OneCycle(opt, 1e-2, 10**9, 0.1, budget_s=0.2)
    assert not sched.done(1)
    time.sleep(0.1)
    sched.set_lr(2)
    assert opt.param_groups[0]["lr"] > 1e-3  # about half way: near the peak, not at a step count of 2
    time.sleep(0.15)
    assert sched.done(3)
    sched.set_lr(3)
    assert opt.param_groups[0]["lr"] == pytest.approx(1e-2 / 25e4)
    assert sched.ended_by == "budget"
