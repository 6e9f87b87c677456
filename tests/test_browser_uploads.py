"""Uploads in the real browser: files go in through the real file input, and one user's upload
never shows up in another user's session (two browser contexts = two users)."""

from __future__ import annotations

import re

import pytest
import torch
from harness import assert_clean, wait_settled
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
