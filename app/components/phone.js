// RNN Lab on a touch screen: a horizontal swipe across a stepper's figure steps it. Swiping to
// the left presses the stepper's Next button, to the right its Previous button (the buttons
// do the stepping, so a swipe is exactly a press). A figure opts in by sitting in a container
// keyed "swipe.BASE" (class st-key-swipe-BASE), whose stepper's buttons are keyed "BASE.next"
// and "BASE.prev". Quick swipes are queued: each waits for the rerun of the one before.
// Installed once per tab.
// (No less-than sign anywhere in this file: Streamlit's sanitiser reads one as the start of
// markup and drops the whole script.)
(function () {
  if (window.rnnLabSwipe) return;
  window.rnnLabSwipe = true;

  const PREFIX = "st-key-swipe-";
  const MIN_DISTANCE = 48; // px along the swipe: shorter moves are taps or jitter
  const MAX_SLANT = 0.6; // |dy| / |dx| above this is a scroll of the page, not a swipe
  const MAX_TIME = 800; // ms: a slower drag is reading or selecting, not a swipe
  let start = null;

  function area(target) {
    for (let el = target; el && el !== document.body; el = el.parentElement) {
      if (el.classList) {
        for (const name of el.classList) {
          if (name.startsWith(PREFIX)) return {el: el, base: name.slice(PREFIX.length)};
        }
      }
    }
    return null;
  }

  // A swipe that starts on something that scrolls sideways (a wide table) or takes input
  // (a slider, a text box) belongs to it.
  function ownsSwipe(target, stop) {
    for (let el = target; el && el !== stop; el = el.parentElement) {
      if (!el.tagName) continue;
      if (["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) || el.isContentEditable ||
          el.getAttribute("role") === "slider") {
        return true;
      }
      const overflow = getComputedStyle(el).overflowX;
      if ((overflow === "auto" || overflow === "scroll") && el.scrollWidth > el.clientWidth + 1) {
        return true;
      }
    }
    return false;
  }

  // The finger's end reaches the listener on the document, or, when the page redrew the figure
  // under the finger meanwhile (a rerun of the step before), only the element it started on,
  // which is no longer in the document: so the start's own element listens too.
  function ended(event) {
    if (!start || event.changedTouches.length !== 1) return;
    const touch = event.changedTouches[0];
    const dx = touch.clientX - start.x;
    const dy = touch.clientY - start.y;
    const base = start.base;
    // the events' own times: a page busy redrawing handles them late, yet the flick was quick
    const quick = MAX_TIME >= event.timeStamp - start.time;
    start = null;
    if (!quick || MIN_DISTANCE > Math.abs(dx) || Math.abs(dy) > MAX_SLANT * Math.abs(dx)) {
      return;
    }
    queue.push(".st-key-" + base + "-" + (dx > 0 ? "prev" : "next") + " button");
    drain();
  }

  document.addEventListener("touchstart", function (event) {
    start = null;
    if (event.touches.length !== 1) return;
    const found = area(event.target);
    if (!found || ownsSwipe(event.target, found.el)) return;
    const touch = event.touches[0];
    start = {x: touch.clientX, y: touch.clientY, time: event.timeStamp, base: found.base};
    event.target.addEventListener("touchend", ended, {once: true, passive: true});
  }, {capture: true, passive: true});

  // A sideways move on a swipe area is the page's: without this the browser takes a flick to
  // the right as "back" (overscroll history navigation) and leaves the step's link.
  document.addEventListener("touchmove", function (event) {
    if (!start || event.touches.length !== 1 || !event.cancelable) return;
    const touch = event.touches[0];
    if (Math.abs(touch.clientX - start.x) > Math.abs(touch.clientY - start.y)) {
      event.preventDefault();
    }
  }, {capture: true, passive: false});

  document.addEventListener("touchcancel", function () { start = null; }, true);
  document.addEventListener("touchend", ended, {capture: true, passive: true});

  // Swipes wait their turn: a swipe presses its button only once the rerun of the one before
  // has started and finished, so quick swipes on a stepper drawn in a fragment never overtake
  // each other (two reruns in flight at once can lose one). A press whose rerun has not
  // started within RERUN_START ms (a button that changed nothing) frees the queue anyway.
  const RERUN_START = 1500; // ms
  const POLL = 50; // ms between looks at the app's state while swipes wait
  const queue = [];
  let pressed = 0; // when the last press went out (0: none waiting for its rerun)
  let started = false; // whether that press's rerun has started

  function running() {
    const app = document.querySelector('[data-testid="stApp"]');
    return Boolean(app) && app.getAttribute("data-test-script-state") === "running";
  }

  function drain() {
    if (running()) {
      started = true;
    } else if (pressed && !started && RERUN_START > Date.now() - pressed) {
      // the press went out; its rerun has not started yet
    } else {
      pressed = 0;
      const selector = queue.shift();
      const button = selector && document.querySelector(selector);
      if (button && !button.disabled) {
        pressed = Date.now();
        started = false;
        button.click();
      }
    }
    if (queue.length || pressed) setTimeout(drain, POLL);
  }
})();
