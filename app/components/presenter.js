// RNN Lab in the browser: the "?" key opens the page's list of keys, every chart's modebar
// gets a "Download as SVG" button next to Plotly's own PNG one, and in presenter view a page's
// main figure gets the screen's height. Installed once per tab; new charts are picked up as
// Streamlit draws them.
(function () {
  if (window.rnnLabPresenter) return;
  window.rnnLabPresenter = true;

  function typing(event) {
    const el = event.target;
    if (!el || !el.tagName) return false;
    const tag = el.tagName;
    return el.isContentEditable || tag === "TEXTAREA" || tag === "SELECT" ||
      (tag === "INPUT" && !["checkbox", "radio", "range", "button", "submit"].includes(el.type));
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "?" || event.ctrlKey || event.metaKey || event.altKey || typing(event)) {
      return;
    }
    const button = document.querySelector(".st-key-keys-open button");
    if (button) {
      event.preventDefault();
      button.click();
    }
  }, true);

  // Plotly's camera button reads gd._context.toImageButtonOptions when clicked: the SVG
  // button asks for the same file name in SVG, then puts PNG back.
  // (Built with DOM calls: markup inside a script's text would make Streamlit's sanitiser
  // drop the whole script.)
  function svgIcon() {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    svg.setAttribute("aria-hidden", "true");
    const text = document.createElementNS(ns, "text");
    for (const [name, value] of [["x", "12"], ["y", "16"], ["text-anchor", "middle"],
      ["font-size", "9"], ["font-weight", "700"], ["font-family", "sans-serif"],
      ["fill", "currentColor"]]) {
      text.setAttribute(name, value);
    }
    text.textContent = "SVG";
    svg.appendChild(text);
    return svg;
  }

  function addSvgButton(gd) {
    const camera = gd.querySelector('.modebar-btn[data-title^="Download plot"]');
    if (!camera || camera.parentNode.querySelector(".rnn-lab-svg")) return;
    const button = document.createElement("a");
    button.className = "modebar-btn rnn-lab-svg";
    button.setAttribute("rel", "tooltip");
    button.setAttribute("data-title", "Download plot as an SVG");
    button.setAttribute("aria-label", "Download plot as an SVG");
    button.appendChild(svgIcon());
    button.style.color = "rgba(68, 68, 68, 0.5)";
    button.addEventListener("click", function (event) {
      event.preventDefault();
      const options = (gd._context && gd._context.toImageButtonOptions) || {};
      const saved = Object.assign({}, options);
      options.format = "svg";
      delete options.scale;
      camera.dispatchEvent(new MouseEvent("click", {bubbles: true}));
      setTimeout(function () { Object.assign(options, saved); }, 0);
    });
    camera.parentNode.insertBefore(button, camera.nextSibling);
  }

  // Presenter view: a page's main figure sits in a box keyed "presenter-fit.…" (the chart in
  // it stretches to fill it); the box gets the screen from its top down to the bottom edge,
  // so the whole figure is on a projector of any size without scrolling. Measured again
  // whenever the page redraws or the window changes size. In a phone-narrow window (no
  // presenter layout there) the box keeps the chart's own height.
  const FIT = "st-key-presenter-fit-";
  const FIT_MARGIN = 14; // px left free under the figure
  const FIT_LEAST = 280; // px: a figure never gets shorter; below that the page scrolls
  const WIDEST_PHONE = 640; // px: presenter.css's (and phone.css's) breakpoint

  function fit() {
    const main = document.querySelector('[data-testid="stMain"]');
    const scrolled = main ? main.scrollTop : 0;
    document.querySelectorAll('[class*="' + FIT + '"]').forEach(function (box) {
      if (!box.getClientRects().length) return; // in a tab not shown: measured when shown
      // The box's height sits on Streamlit's wrapper around it (a flex item of fixed size).
      const wrapper = box.parentElement;
      const outer = wrapper && wrapper.dataset.testid === "stLayoutWrapper" ? wrapper : box;
      let height = "";
      if (window.innerWidth > WIDEST_PHONE) {
        const top = outer.getBoundingClientRect().top + scrolled;
        height = Math.max(FIT_LEAST, Math.floor(window.innerHeight - top - FIT_MARGIN)) + "px";
      }
      if (outer.style.height !== height) {
        outer.style.height = height;
        outer.style.flex = height ? "0 0 " + height : "";
      }
    });
  }

  function scan() {
    document.querySelectorAll(".js-plotly-plot").forEach(addSvgButton);
    fit();
  }
  let queued = false;
  function later() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(function () { queued = false; scan(); });
  }
  new MutationObserver(later).observe(document.body, {childList: true, subtree: true});
  window.addEventListener("resize", later);
  scan();
})();
