// RNN Lab in the browser: the "?" key opens the page's list of keys, and every chart's modebar
// gets a "Download as SVG" button next to Plotly's own PNG one. Installed once per tab; new
// charts are picked up as Streamlit draws them.
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

  function scan() {
    document.querySelectorAll(".js-plotly-plot").forEach(addSvgButton);
  }
  let queued = false;
  new MutationObserver(function () {
    if (queued) return;
    queued = true;
    requestAnimationFrame(function () { queued = false; scan(); });
  }).observe(document.body, {childList: true, subtree: true});
  scan();
})();
