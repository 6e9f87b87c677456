"""Uploads in the real browser: files go in through the real file input, and one user's upload
never shows up in another user's session (two browser contexts = two users)."""

from __future__ import annotations

import re

import pytest
import torch
from harness import assert_clean, wait_settled
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from safetensors.torch import save as save_safetensors

pytestmark = pytest.mark.browser

ALICE_CSV = b"x1,x2,x3\n" + b"".join(f"{t},1,0\n".encode() for t in range(7))


def checkpoint(cls, hidden: int) -> bytes:
    torch.manual_seed(hidden)
    return save_safetensors(cls(3, hidden).state_dict())


def new_user(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    return context, page


def upload(page, where: str, name: str, data: bytes, mime: str) -> None:
    """Put a file into the file input inside `where` (a CSS selector) and wait for the run."""
    page.locator(f"{where} input[type=file]").first.set_input_files(
        {"name": name, "mimeType": mime, "buffer": data})
    page.wait_for_function(f"() => document.body.innerText.includes({name!r})")
    wait_settled(page)


def step_text(page) -> str:
    return page.locator("p", has_text=re.compile(r"^Step \d+ of \d+")).first.inner_text()


def test_two_users_uploads_stay_in_their_own_sessions(browser, server):
    alice_ctx, alice = new_user(browser)
    bob_ctx, bob = new_user(browser)
    try:
        for page in (alice, bob):
            page.goto(f"{server.url}/stepper?model=own")
            wait_settled(page)
        sidebar = '[data-testid="stSidebar"]'
        # Alice: her own LSTM, then her own 7-step CSV through the sequence file input
        upload(alice, sidebar, "alice-model.safetensors", checkpoint(torch.nn.LSTM, 5),
               "application/octet-stream")
        assert "LSTM, 3 inputs, 5 hidden units" in alice.inner_text(sidebar)
        alice.get_by_text("Upload a sequence file").click()
        upload(alice, '[data-testid="stExpander"]:has-text("Upload a sequence file")',
               "alice.csv", ALICE_CSV, "text/csv")
        alice.wait_for_function("() => document.body.innerText.includes('Step 1 of 7')")
        assert "Using alice" in alice.inner_text("body")
        # Bob, same server, same page: none of it (his session runs again on Next)
        bob.get_by_role("button", name=re.compile("Next")).click()
        bob.wait_for_function("() => document.body.innerText.includes('Step 2 of 9')")
        wait_settled(bob)
        body = bob.inner_text("body")
        assert "alice" not in body and "5 hidden units" not in body
        assert "Until a model is uploaded" in body
        assert step_text(bob).startswith("Step 2 of 9")  # the lecture's sequence
        # Bob uploads a GRU; Alice still steps her LSTM through her sequence
        upload(bob, sidebar, "bob-model.safetensors", checkpoint(torch.nn.GRU, 4),
               "application/octet-stream")
        assert "GRU, 3 inputs, 4 hidden units" in bob.inner_text(sidebar)
        alice.get_by_role("button", name=re.compile("Next")).click()
        alice.wait_for_function("() => document.body.innerText.includes('Step 2 of 7')")
        wait_settled(alice)
        text = alice.inner_text("body")
        assert "LSTM, 3 inputs, 5 hidden units" in text and "GRU, 3 inputs" not in text
        assert "bob" not in text
        # a broken checkpoint: an error on Bob's page, his GRU stays, Alice sees nothing of it
        upload(bob, sidebar, "broken.safetensors", b"\x00" * 16, "application/octet-stream")
        bob.wait_for_function("() => document.body.innerText.includes('header size')",
                              timeout=30_000)
        assert "header size" in bob.inner_text("body")
        assert "Still using bob-model.safetensors" in bob.inner_text(sidebar)
        alice.get_by_role("button", name=re.compile("Next")).click()
        alice.wait_for_function("() => document.body.innerText.includes('Step 3 of 7')")
        wait_settled(alice)
        assert "broken" not in alice.inner_text("body")
        assert "LSTM, 3 inputs, 5 hidden units" in alice.inner_text(sidebar)
        for page in (alice, bob):
            assert_clean(page, server)
    finally:
        alice_ctx.close()
        bob_ctx.close()


def test_the_gradient_lab_takes_a_checkpoint_and_a_csv(browser, server):
    context, page = new_user(browser)
    try:
        page.goto(f"{server.url}/gradients")
        wait_settled(page)
        page.get_by_role("tab", name=re.compile("Gradient norm over time")).click()
        page.get_by_text("your own model and sequence (upload)").click()
        wait_settled(page)
        upload(page, '[data-testid="stFileUploader"]:has-text("trained model")', "m.pt",
               _torch_file(), "application/octet-stream")
        upload(page, '[data-testid="stFileUploader"]:has-text("sequence file")', "alice.csv",
               ALICE_CSV, "text/csv")
        page.wait_for_function(
            "() => document.body.innerText.includes('alice, 7 steps')")
        assert "RNN, 3 inputs, 6 hidden units" in page.inner_text("body")
        assert page.locator('[data-testid="stPlotlyChart"]:visible').count() >= 1
        assert_clean(page, server)
    finally:
        context.close()


def _torch_file() -> bytes:
    import io

    buf = io.BytesIO()
    torch.save(torch.nn.RNN(3, 6).state_dict(), buf)
    return buf.getvalue()


def wait_for_text(page, text: str, timeout: float = 30_000) -> None:
    page.wait_for_function("t => document.body.innerText.includes(t)", arg=text,
                           timeout=timeout)
    wait_settled(page)


def open_list(page, name: str) -> None:
    """Open a select box's list (again, when a rerun closed it as it opened)."""
    for _ in range(5):
        wait_settled(page)
        page.get_by_role("combobox", name=name).click()
        try:
            page.locator('[role="option"]').first.wait_for(timeout=3_000)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    raise AssertionError(f"the list of {name!r} did not open")


def delete_first_row(page, then: str) -> None:
    """Select the sequence table's first row by its marker and delete it (again, when the
    grid was not ready for the click), until `then` shows."""
    table = page.locator('[data-testid="stDataFrame"]').first
    for _ in range(4):
        table.scroll_into_view_if_needed()
        box = table.bounding_box()
        page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)  # below the header: row 1's marker
        page.keyboard.press("Delete")
        try:
            wait_for_text(page, then, timeout=5_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError("the first row could not be deleted")


def test_stepper_names_dated_steps_picks_long_sequences_and_fills_gaps(browser, server):
    import numpy as np
    import pandas as pd

    days = pd.date_range("2024-03-01", periods=10, freq="D").strftime("%Y-%m-%d").tolist()
    k = np.arange(10)
    dated = pd.DataFrame({"date": days, "x1": k + 1.0, "x2": (k % 2).astype(float),
                          "x3": np.zeros(10)}).to_csv(index=False).encode()
    long = pd.DataFrame([(name, t, t + 1.0, 1.0, 0.0) for name, n in (("up", 4), ("down", 6))
                         for t in range(n)],
                        columns=["seq_id", "t", "x1", "x2", "x3"]).to_csv(index=False).encode()
    gaps = pd.DataFrame({"x1": [1.0, np.nan, 3.0], "x2": [0.0, 1.0, 0.0],
                         "x3": [0.0, 0.0, 1.0]}).to_csv(index=False).encode()
    context, page = new_user(browser)
    box = '[data-testid="stExpander"]:has-text("Upload a sequence file")'
    try:
        page.goto(f"{server.url}/stepper")
        wait_settled(page)
        page.get_by_text("Upload a sequence file").click()
        # a dated CSV: each step is named by its date on the step line
        upload(page, box, "weather.csv", dated, "text/csv")
        wait_for_text(page, "Step 1 of 10 · 2024-03-01 · input x = [1, 0, 0]")
        for _ in range(2):
            page.get_by_role("button", name=re.compile("Next")).first.click()
            wait_settled(page)
        wait_for_text(page, "Step 3 of 10 · 2024-03-03 · input x = [3, 0, 0]")
        assert "Steps named by the file: 2024-03-01 … 2024-03-10" in page.inner_text("body")
        # removing a step from the table drops the names (they would no longer fit the steps)
        delete_first_row(page, " of 9 · input x = [")
        wait_for_text(page, "Step 3 of 9 · input x = [4, 1, 0]")
        assert "2024-03" not in page.inner_text("body").split("Using weather")[0]
        # a long-format CSV: the picker names its sequences; the other one is stepped
        upload(page, box, "runs.csv", long, "text/csv")
        wait_for_text(page, "Using runs[up] (one of 2)")
        open_list(page, "Sequence in the file")
        options = page.locator('[role="option"]').all_inner_texts()
        assert options == ["runs[up] (4 steps × 3)", "runs[down] (6 steps × 3)"], options
        page.get_by_role("option", name="runs[down] (6 steps × 3)").click()
        wait_for_text(page, " of 6 · input x = [")
        step = re.search(r"Step (\d+) of 6 · input x = \[(\d+), 1, 0\]", page.inner_text("body"))
        assert step and step[1] == step[2]  # the down run's x1 is its step number
        assert "2024-03" not in page.inner_text("body")  # the dates went with the dated file
        # a missing cell: refused, then filled (halfway between its neighbours) on request
        upload(page, box, "gaps.csv", gaps, "text/csv")
        wait_for_text(page, "is empty")
        page.get_by_text("Fill gaps", exact=True).click()
        wait_for_text(page, " of 3 · input x = [")
        page.get_by_role("button", name=re.compile("First")).first.click()
        wait_for_text(page, "Step 1 of 3 · input x = [1, 0, 0]")
        page.get_by_role("button", name=re.compile("Next")).first.click()
        wait_for_text(page, "Step 2 of 3 · input x = [2, 1, 0]")
        assert_clean(page, server)
    finally:
        context.close()
