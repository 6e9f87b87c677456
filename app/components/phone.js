// RNN Lab on a touch screen: a horizontal swipe across a stepper's figure steps it. Swiping to
// the left presses the stepper's Next button, to the right its Previous button (the buttons
// do the stepping, so a swipe is exactly a press). A figure opts in by sitting in a container
// keyed "swipe.BASE" (class st-key-swipe-BASE), whose stepper's buttons are keyed "BASE.next"
// and "BASE.prev". Installed once per tab.
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

  document.addEventListener("touchstart", function (event) {
    start = null;
    if (event.touches.length !== 1) return;
    const found = area(event.target);
    if (!found || ownsSwipe(event.target, found.el)) return;
    const touch = event.touches[0];
    start = {x: touch.clientX, y: touch.clientY, time: Date.now(), base: found.base};
  }, {capture: true, passive: true});

  document.addEventListener("touchcancel", function () { start = null; }, true);

  document.addEventListener("touchend", function (event) {
    if (!start || event.changedTouches.length !== 1) return;
    const touch = event.changedTouches[0];
    const dx = touch.clientX - start.x;
    const dy = touch.clientY - start.y;
    const base = start.base;
    const quick = MAX_TIME >= Date.now() - start.time;
    start = null;
    if (!quick || MIN_DISTANCE > Math.abs(dx) || Math.abs(dy) > MAX_SLANT * Math.abs(dx)) {
      return;
    }
    const which = dx > 0 ? "prev" : "next";
    const button = document.querySelector(".st-key-" + base + "-" + which + " button");
    if (button && !button.disabled) button.click();
  }, {capture: true, passive: true});
})();
