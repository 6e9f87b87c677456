// RNN Lab's stepper in the browser: First / Previous / Play / Next / Last, the arrow keys,
// Home / End, Space, the slider and a swipe on the diagram move the step with no script rerun.
// Python ships the steps of a window (the cell diagram's pieces, the story, the equations);
// this file draws them, animates the numbers and gates between two steps, keeps the step in
// the address bar and moves the over-time chart's marker. Python hears the step ("step" state)
// only when it needs it: before another control of the page is used, and when the step leaves
// the window it was sent.

const STEPPERS = (window.rnnLabSteppers = window.rnnLabSteppers || new Map());
const NUMBER = /[−-]?\d+(?:\.\d+)?/g;
const ANIMATION_MS = 200;
const SVG_NS = "http://www.w3.org/2000/svg";

function typing(el) {
  if (!el || !el.tagName) return false;
  const tag = el.tagName;
  return el.isContentEditable || tag === "TEXTAREA" || tag === "SELECT" ||
    (tag === "INPUT" && !["checkbox", "radio", "range", "button", "submit"].includes(el.type));
}

function reducedMotion() {
  return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
}

function escapeXml(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

// -- interpolation --------------------------------------------------------------------------

function parseNumber(token) {
  return parseFloat(token.replace("−", "-"));
}

function formatLike(value, token) {
  const dot = token.indexOf(".");
  const decimals = dot < 0 ? 0 : token.length - dot - 1;
  let text = value.toFixed(decimals);
  if (/^-0(\.0*)?$/.test(text)) text = text.slice(1);
  return token.includes("−") ? text.replace("-", "−") : text;
}

// Numbers inside two strings of the same shape move from a to b; anything else jumps to b.
function lerpText(a, b, f) {
  if (a === b) return b;
  const sa = a.split(NUMBER), sb = b.split(NUMBER);
  if (sa.length !== sb.length || sa.some((part, k) => part !== sb[k])) return b;
  const na = a.match(NUMBER) || [], nb = b.match(NUMBER) || [];
  let out = sb[0];
  for (let k = 0; k < nb.length; k++) {
    const x = parseNumber(na[k]), y = parseNumber(nb[k]);
    out += formatLike(x + (y - x) * f, nb[k]) + sb[k + 1];
  }
  return out;
}

function lerp(a, b, f) {
  if (a === undefined || a === null) return b;
  if (typeof b === "number" && typeof a === "number") return a + (b - a) * f;
  if (typeof b === "string" && typeof a === "string") return lerpText(a, b, f);
  if (b && typeof b === "object" && !Array.isArray(b) && typeof a === "object") {
    const out = {};
    for (const key of Object.keys(b)) out[key] = lerp(a[key], b[key], f);
    return out;
  }
  return b;
}

// Pieces are paired by name, unnamed ones by kind, type and order among their kind.
function pieceKeys(pieces) {
  const seen = new Map();
  return pieces.map((p) => {
    if (p.name) return p.k + ":" + p.name;
    const base = p.k + ":" + (p.type || (p.showarrow ? "arrow" : "text"));
    const n = seen.get(base) || 0;
    seen.set(base, n + 1);
    return base + "#" + n;
  });
}

function between(from, to, f) {
  if (!from || f >= 1) return to;
  const before = new Map();
  pieceKeys(from).forEach((key, k) => before.set(key, from[k]));
  return pieceKeys(to).map((key, k) => lerp(before.get(key), to[k], f));
}

// -- drawing the cell diagram (plotly's shapes and annotations, in SVG) ----------------------

function drawing(canvas) {
  const margin = 6;
  const unit = (canvas.px - 2 * margin) / canvas.height;
  return {
    margin, unit,
    w: canvas.width * unit + 2 * margin,
    h: canvas.height * unit + 2 * margin,
    X: (x) => margin + x * unit,
    Y: (y) => margin + (canvas.height - y) * unit,
    font: canvas.font,
  };
}

function dashArray(dash, width) {
  const w = Math.max(width, 3);
  if (dash === "dot") return `${w},${w}`;
  if (dash === "dash") return `${3 * w},${3 * w}`;
  return "";
}

function strokeAttrs(line) {
  if (!line) return 'stroke="none"';
  const dash = dashArray(line.dash, line.width || 2);
  return `stroke="${escapeXml(line.color || "#444")}" stroke-width="${line.width ?? 2}"` +
    (dash ? ` stroke-dasharray="${dash}"` : "");
}

function pathData(path, d) {
  let k = 0;
  return path.replace(/-?\d+(?:\.\d+)?(?:e-?\d+)?/g, (m) => {
    const v = parseFloat(m);
    return ((k++ % 2 === 0) ? d.X(v) : d.Y(v)).toFixed(2);
  });
}

function shapeSvg(s, d) {
  const fill = s.fillcolor ? `fill="${escapeXml(s.fillcolor)}"` : 'fill="none"';
  const stroke = strokeAttrs(s.line);
  const name = s.name ? ` data-name="${escapeXml(s.name)}"` : "";
  if (s.type === "line") {
    return `<line${name} x1="${d.X(s.x0)}" y1="${d.Y(s.y0)}" x2="${d.X(s.x1)}" ` +
      `y2="${d.Y(s.y1)}" ${stroke} stroke-linecap="butt"/>`;
  }
  if (s.type === "rect") {
    const x = Math.min(d.X(s.x0), d.X(s.x1)), y = Math.min(d.Y(s.y0), d.Y(s.y1));
    return `<rect${name} x="${x}" y="${y}" width="${Math.abs(d.X(s.x1) - d.X(s.x0))}" ` +
      `height="${Math.abs(d.Y(s.y1) - d.Y(s.y0))}" ${fill} ${stroke}/>`;
  }
  if (s.type === "circle") {
    return `<ellipse${name} cx="${(d.X(s.x0) + d.X(s.x1)) / 2}" cy="${(d.Y(s.y0) + d.Y(s.y1)) / 2}" ` +
      `rx="${Math.abs(d.X(s.x1) - d.X(s.x0)) / 2}" ry="${Math.abs(d.Y(s.y1) - d.Y(s.y0)) / 2}" ` +
      `${fill} ${stroke}/>`;
  }
  if (s.type === "path") {
    return `<path${name} d="${pathData(s.path, d)}" ${fill} ${stroke}/>`;
  }
  return "";
}

// Plotly's label markup (<b>, <i>, <sub>, <sup>, <br>, <span style='color:…'>) as lines of runs.
function labelLines(text) {
  const lines = [[]];
  const style = {bold: 0, italic: 0, shift: 0, colors: []};
  const parts = String(text).split(/(<[^>]*>)/);
  for (const part of parts) {
    if (!part) continue;
    const tag = part.match(/^<\s*(\/?)\s*(\w+)([^>]*)>$/);
    if (!tag) {
      const plain = part.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
        .replace(/&#x27;|&#39;/g, "'").replace(/&amp;/g, "&");
      lines[lines.length - 1].push({text: plain, bold: style.bold > 0, italic: style.italic > 0,
        shift: style.shift, color: style.colors[style.colors.length - 1]});
      continue;
    }
    const [, close, name, rest] = tag;
    const on = close ? -1 : 1;
    if (name === "br") lines.push([]);
    else if (name === "b") style.bold += on;
    else if (name === "i") style.italic += on;
    else if (name === "sub") style.shift = close ? 0 : 1;
    else if (name === "sup") style.shift = close ? 0 : -1;
    else if (name === "span") {
      if (close) style.colors.pop();
      else {
        const color = rest.match(/color:\s*([^;'"]+)/);
        style.colors.push(color ? color[1].trim() : style.colors[style.colors.length - 1]);
      }
    }
  }
  return lines;
}

function textSvg(a, d) {
  const size = (a.font && a.font.size) || 14;
  const color = (a.font && a.font.color) || "#1f2937";
  const lines = labelLines(a.text);
  const lh = size * 1.3;
  let top = d.Y(a.y);
  if (a.yanchor === "middle" || !a.yanchor) top -= lines.length * lh / 2;
  else if (a.yanchor === "bottom") top -= lines.length * lh;
  const anchor = {left: "start", right: "end"}[a.xanchor] || "middle";
  const name = a.name ? ` data-name="${escapeXml(a.name)}"` : "";
  const x = d.X(a.x);
  const rotate = a.textangle ? ` transform="rotate(${a.textangle} ${x} ${d.Y(a.y)})"` : "";
  let out = `<g${name}${rotate}>`;
  lines.forEach((runs, k) => {
    const y = top + (k + 0.5) * lh;
    out += `<text x="${x}" y="${y}" text-anchor="${anchor}" dominant-baseline="central" ` +
      `font-size="${size}" fill="${escapeXml(color)}">`;
    let shift = 0;
    for (const run of runs) {
      const target = run.shift * size * 0.3;
      const dy = target - shift;
      shift = target;
      out += `<tspan dy="${dy}"` + (run.shift ? ` font-size="${size * 0.7}"` : "") +
        (run.bold ? ' font-weight="700"' : "") + (run.italic ? ' font-style="italic"' : "") +
        (run.color ? ` fill="${escapeXml(run.color)}"` : "") + `>${escapeXml(run.text)}</tspan>`;
    }
    out += "</text>";
  });
  return out + "</g>";
}

// Plotly's arrowhead 2 ("narrower with flat back"), its tip at the arrow's end.
function arrowSvg(a, d) {
  const x0 = d.X(a.ax), y0 = d.Y(a.ay), x1 = d.X(a.x), y1 = d.Y(a.y);
  const len = Math.hypot(x1 - x0, y1 - y0) || 1;
  const ux = (x1 - x0) / len, uy = (y1 - y0) / len;
  const scale = (a.arrowwidth || 2) * (a.arrowsize || 1);
  const back = 1.3 * scale;
  const ex = x1 - ux * back, ey = y1 - uy * back;
  const angle = Math.atan2(uy, ux) * 180 / Math.PI;
  const color = escapeXml(a.arrowcolor || "#444");
  return `<line x1="${x0}" y1="${y0}" x2="${ex + ux * 0.5 * scale}" y2="${ey + uy * 0.5 * scale}" ` +
    `stroke="${color}" stroke-width="${a.arrowwidth || 2}"/>` +
    `<path d="M-3.7,-2.5V2.5L1.3,0Z" fill="${color}" ` +
    `transform="translate(${ex},${ey}) rotate(${angle}) scale(${scale})"/>`;
}

function hoverSvg(h, d) {
  const plain = String(h.text).replace(/<br>/g, "\n").replace(/<[^>]*>/g, "");
  return `<circle cx="${d.X(h.x)}" cy="${d.Y(h.y)}" r="${(h.size || 30) / 2}" ` +
    `fill="transparent"><title>${escapeXml(plain)}</title></circle>`;
}

function diagramSvg(pieces, canvas) {
  const d = drawing(canvas);
  let shapes = "", labels = "", hovers = "";
  for (const p of pieces) {
    if (p.k === "s") shapes += shapeSvg(p, d);
    else if (p.k === "a") labels += p.showarrow ? arrowSvg(p, d) : textSvg(p, d);
    else if (p.k === "h") hovers += hoverSvg(p, d);
  }
  // whole pixels: a fractional size is snapped on screen, which would scale the text down
  const w = Math.ceil(d.w), h = Math.ceil(d.h);
  return `<svg xmlns="${SVG_NS}" viewBox="0 0 ${w} ${h}" ` +
    `width="${w}" height="${h}" role="img" ` +
    `font-family="${escapeXml(d.font)}" class="rnn-cell-svg">` +
    `<rect width="100%" height="100%" fill="#ffffff"/>${shapes}${labels}${hovers}</svg>`;
}

// -- the over-time chart's marker (a plotly chart Streamlit drew) ---------------------------

function moveTimeline(key, t, mark) {
  const gd = document.querySelector(`.st-key-${key} .js-plotly-plot`);
  if (!gd || !gd.layout || !gd._fullLayout) return;
  const meta = gd.layout.meta || {};
  const drawn = typeof meta.step === "number" ? meta.step : null;
  if (drawn === null) return;
  const axisOf = (ref) => gd._fullLayout[(ref || "x").replace(/^x/, "xaxis")];
  (gd.layout.shapes || []).forEach((shape, k) => {
    if (shape.name !== "current-step") return;
    const axis = axisOf(shape.xref);
    if (!axis || !axis._m) return;
    gd.querySelectorAll(`.shapelayer path[data-index="${k}"]`).forEach((el) => {
      el.setAttribute("transform", `translate(${(t - drawn) * axis._m},0)`);
    });
  });
  (gd.layout.annotations || []).forEach((note, k) => {
    if (note.name !== "current-step-label") return;
    const axis = axisOf(note.xref);
    if (!axis || !axis._m) return;
    const el = gd.querySelector(`.annotation[data-index="${k}"]`);
    if (!el) return;
    el.style.transform = `translateX(${(t - drawn) * axis._m}px)`;
    const text = el.querySelector(".annotation-text");
    if (text) {
      const labels = meta.step_labels;
      text.textContent = "";
      const bold = document.createElementNS(SVG_NS, "tspan");
      bold.setAttribute("style", "font-weight:bold");
      bold.textContent = fillIn(mark || "step {step}", {step: t + 1});
      text.appendChild(bold);
      if (labels && labels[t] !== undefined) {
        text.appendChild(document.createTextNode(` · ${labels[t]}`));
      }
    }
  });
}

// -- one stepper ----------------------------------------------------------------------------

// The words Python sent in the reader's language (data.words); the English of stepper.html
// stays wherever a word is missing.
function word(s, key, fallback) {
  const words = s.data.words || {};
  return typeof words[key] === "string" ? words[key] : fallback;
}

function applyWords(root, words) {
  if (!words || root.dataset.words === JSON.stringify(words)) return;
  root.dataset.words = JSON.stringify(words);
  for (const el of root.querySelectorAll("[data-w]")) {
    if (typeof words[el.dataset.w] === "string") el.textContent = words[el.dataset.w];
  }
  for (const el of root.querySelectorAll("[data-w-title]")) {
    if (typeof words[el.dataset.wTitle] === "string") el.title = words[el.dataset.wTitle];
  }
  for (const el of root.querySelectorAll("[data-w-aria]")) {
    const text = words[el.dataset.wAria];
    if (typeof text === "string") el.setAttribute("aria-label", text);
  }
}

function fillIn(template, values) {
  return template.replace(/\{(\w+)\}/g, (m, name) => (name in values ? values[name] : m));
}

function frameAt(s, t) {
  const data = s.data;
  const k = t - data.first;
  if (k < 0 || k >= data.frames.length) return null;
  return data.frames[k];
}

function piecesAt(s, t) {
  const frame = frameAt(s, t);
  return frame ? frame.d.map((i) => s.data.elements[i]) : null;
}

function writeUrl(s) {
  const url = new URL(window.location.href);
  if (url.searchParams.get(s.data.param) === String(s.step + 1)) return;
  url.searchParams.set(s.data.param, String(s.step + 1));
  window.history.replaceState(window.history.state, "", url.toString());
}

function renderTex(s, frame) {
  const box = s.root.querySelector(".rnn-tex");
  if (!box || !frame) return;
  if (box.dataset.tex === frame.tex) return;
  if (!window.katex) {  // the maths renderer is still loading: try again shortly
    setTimeout(() => renderTex(s, frameAt(s, s.step)), 50);
    return;
  }
  try {
    window.katex.render(frame.tex, box, {displayMode: true, throwOnError: false});
    box.dataset.tex = frame.tex;
  } catch (err) {
    box.textContent = frame.tex;
  }
}

function paint(s, pieces) {
  s.root.querySelector(".rnn-diagram").innerHTML = diagramSvg(pieces, s.data.canvas);
}

function animate(s, from, to) {
  if (s.animation) cancelAnimationFrame(s.animation);
  if (!from || reducedMotion()) {
    paint(s, to);
    return;
  }
  const start = performance.now();
  const tick = (now) => {
    const f = Math.min(1, (now - start) / ANIMATION_MS);
    const eased = f < 1 ? 1 - Math.pow(1 - f, 3) : 1;
    paint(s, between(from, to, eased));
    s.animation = f < 1 ? requestAnimationFrame(tick) : null;
  };
  paint(s, between(from, to, 0));
  s.animation = requestAnimationFrame(tick);
}

// -- an optional text coloured up to the current step (data.text: the character LSTM) --------
// data.text = {chars: the text, shades: one letter per character read so far ("a" is
// colors[0]), colors: the background of each shade, legend: HTML under the text}.

function paintText(s) {
  const panel = s.root.querySelector(".rnn-text");
  if (!panel) return;
  const spec = s.data.text;
  panel.hidden = !spec;
  if (!spec) {
    s.textSpans = null;
    return;
  }
  if (s.textSpec !== spec || !s.textSpans || !panel.firstChild) {
    const body = document.createElement("div");
    body.className = "rnn-text-body";
    const spans = [];
    for (const ch of spec.chars) {  // code points, as Python counts the text's characters
      const span = document.createElement("span");
      span.textContent = ch === "\n" ? "↵" : ch;
      body.appendChild(span);
      spans.push(span);
      if (ch === "\n") body.appendChild(document.createElement("br"));
    }
    const legend = document.createElement("div");
    legend.className = "rnn-text-legend";
    legend.innerHTML = spec.legend || "";
    panel.replaceChildren(body, legend);
    s.textSpans = spans;
    s.textSpec = spec;
    s.textAt = null;
  }
  const spans = s.textSpans, t = s.step, shades = spec.shades || "", colors = spec.colors || [];
  const zero = (colors.length - 1) / 2;
  const from = s.textAt === null ? 0 : Math.min(s.textAt, t);
  const to = s.textAt === null ? spans.length - 1 : Math.max(s.textAt, t);
  for (let k = from; k <= Math.min(to, spans.length - 1); k++) {
    const read = k <= t && k < shades.length;
    const shade = read ? shades.charCodeAt(k) - 97 : zero;
    spans[k].style.background = read && shade !== zero ? colors[shade] : "";
    spans[k].className = k === t ? "cur" : read ? "" : "rnn-unread";
  }
  s.textAt = t;
  const body = panel.firstChild, cur = spans[t];
  if (cur && body.scrollHeight > body.clientHeight + 1) {  // keep the current character in view
    const top = cur.offsetTop, bottom = top + cur.offsetHeight;
    if (top < body.scrollTop || bottom > body.scrollTop + body.clientHeight) {
      body.scrollTop = Math.max(0, top - body.clientHeight / 3);
    }
  }
}

function render(s, animateFrom) {
  const root = s.root, data = s.data;
  const t = s.step, last = data.steps - 1;
  const frame = frameAt(s, t);
  root.classList.toggle("rnn-present", Boolean(data.present));
  root.classList.toggle("rnn-with-text", Boolean(data.text));
  applyWords(root, data.words);
  for (const button of root.querySelectorAll("[data-move]")) {
    const move = button.dataset.move;
    button.disabled = (move === "first" || move === "prev") ? t === 0 :
      (move === "next" || move === "last") ? t >= last : data.steps <= 1;
  }
  const play = root.querySelector('[data-move="play"]');
  play.querySelector(".rnn-play-word").textContent =
    s.playing ? word(s, "pause", "Pause") : word(s, "play", "Play");
  play.querySelector(".rnn-ico").textContent = s.playing ? "‖" : "▶";
  play.setAttribute("aria-pressed", s.playing ? "true" : "false");
  const slider = root.querySelector(".rnn-slider");
  slider.max = String(data.steps);
  slider.value = String(t + 1);
  root.querySelector(".rnn-stepper-track").hidden = data.steps <= 1;
  const held = root.querySelector(".rnn-held");
  held.hidden = !data.held;
  held.textContent = data.held || "";
  const note = root.querySelector(".rnn-note");
  note.hidden = !data.note;
  note.textContent = data.note || "";
  root.querySelector(".rnn-line").innerHTML = data.lines[t - data.first] ||
    `<b>${escapeXml(fillIn(word(s, "step_of", "Step {step} of {steps}"),
                         {step: t + 1, steps: data.total}))}</b>`;
  paintText(s);
  if (!frame) {
    root.querySelector(".rnn-story").textContent = word(s, "loading", "Loading this step…");
    return;
  }
  root.querySelector(".rnn-story").innerHTML = frame.story;
  const equations = root.querySelector(".rnn-equations");
  if (equations) equations.hidden = !frame.tex;  // a stepper without equations hides the box
  if (frame.tex) renderTex(s, frame);
  animate(s, animateFrom, piecesAt(s, t));
  writeUrl(s);
  moveTimeline(data.timeline, t, word(s, "mark", "step {step}"));
  root.dataset.step = String(t + 1);
}

function goTo(s, t, byHand = true) {
  const data = s.data;
  t = Math.max(0, Math.min(data.steps - 1, t));
  if (byHand) setPlaying(s, false);
  if (t === s.step) return;
  const from = piecesAt(s, s.step);
  s.step = t;
  render(s, from);
  if (!frameAt(s, t)) sync(s);  // outside the steps sent: Python sends the steps around it
}

function sync(s) {
  if (s.synced === s.step + 1) return;
  s.synced = s.step + 1;
  s.setStateValue("step", s.step + 1);
}

function setPlaying(s, playing) {
  if (s.timer) clearInterval(s.timer);
  s.timer = null;
  s.playing = playing && s.data.steps > 1;
  if (s.playing) {
    if (s.step >= s.data.steps - 1) goTo(s, 0, false);
    s.timer = setInterval(() => {
      if (!s.root.isConnected || s.step >= s.data.steps - 1) {
        setPlaying(s, false);
        render(s, null);
        return;
      }
      goTo(s, s.step + 1, false);
      if (s.step >= s.data.steps - 1) {
        setPlaying(s, false);
        render(s, null);
      }
    }, s.speed);
  }
}

function move(s, what) {
  if (what === "first") goTo(s, 0);
  else if (what === "prev") goTo(s, s.step - 1);
  else if (what === "next") goTo(s, s.step + 1);
  else if (what === "last") goTo(s, s.data.steps - 1);
  else if (what === "play") {
    setPlaying(s, !s.playing);
    render(s, null);
  }
}

// The diagram as a file named after the figure and the step, like the charts' downloads.
function download(s, format) {
  const svg = s.root.querySelector(".rnn-diagram svg");
  if (!svg) return;
  const name = `rnn-lab-${s.data.name}-step-${s.step + 1}.${format}`;
  const text = new XMLSerializer().serializeToString(svg);
  const save = (blob) => {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  };
  if (format === "svg") {
    save(new Blob([text], {type: "image/svg+xml"}));
    return;
  }
  const image = new Image();
  image.onload = () => {
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(svg.viewBox.baseVal.width * 2);
    canvas.height = Math.round(svg.viewBox.baseVal.height * 2);
    const context = canvas.getContext("2d");
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    canvas.toBlob((blob) => save(blob), "image/png");
  };
  image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(text);
}

function wire(s) {
  const root = s.root;
  if (root.dataset.wired) return;
  root.dataset.wired = "1";
  root.addEventListener("click", (event) => {
    const file = event.target.closest("[data-download]");
    if (file) {
      download(s, file.dataset.download);
      return;
    }
    const button = event.target.closest("[data-move]");
    if (button && !button.disabled) move(s, button.dataset.move);
  });
  const slider = root.querySelector(".rnn-slider");
  slider.addEventListener("input", () => goTo(s, parseInt(slider.value, 10) - 1));
  const speed = root.querySelector(".rnn-speed");
  speed.value = String(s.speed);
  speed.addEventListener("change", () => {
    s.speed = parseInt(speed.value, 10) || 1000;
    if (s.playing) setPlaying(s, true);
  });
  // A left / right swipe on the diagram (or the coloured text) steps on (touch screens).
  for (const area of root.querySelectorAll(".rnn-diagram, .rnn-text")) {
    let touch = null;
    area.addEventListener("touchstart", (event) => {
      if (event.touches.length === 1) {
        touch = {x: event.touches[0].clientX, y: event.touches[0].clientY};
      }
    }, {passive: true});
    area.addEventListener("touchend", (event) => {
      if (!touch || !event.changedTouches.length) return;
      const dx = event.changedTouches[0].clientX - touch.x;
      const dy = event.changedTouches[0].clientY - touch.y;
      touch = null;
      if (Math.abs(dx) >= 40 && Math.abs(dx) > 1.5 * Math.abs(dy)) {
        goTo(s, s.step + (dx < 0 ? 1 : -1));
      }
    }, {passive: true});
  }
}

// One set of document listeners for every stepper: keys go to the stepper on the page; using
// any other control first tells Python the step (one message, not one per step).
function installDocumentListeners() {
  if (window.rnnLabStepperKeys) return;
  window.rnnLabStepperKeys = true;
  const active = () => {
    for (const s of STEPPERS.values()) if (s.root && s.root.isConnected) return s;
    return null;
  };
  document.addEventListener("keydown", (event) => {
    const s = active();
    if (!s || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.querySelector('[role="dialog"]')) return;
    const target = event.target;
    const moves = {ArrowLeft: "prev", ArrowRight: "next", Home: "first", End: "last", " ": "play"};
    const what = moves[event.key];
    if (!what) return;
    if (target && target.type === "range" && !s.root.contains(target)) return;
    if (what === "play" && target && target.closest && target.closest("button") &&
        !s.root.contains(target)) return;
    event.preventDefault();
    event.stopPropagation();
    move(s, what);
  }, true);
  const outside = (event) => {
    for (const s of STEPPERS.values()) {
      if (s.root && s.root.isConnected && !s.root.contains(event.target)) sync(s);
    }
  };
  document.addEventListener("pointerdown", outside, true);
  document.addEventListener("focusin", (event) => {
    if (event.target !== document.body) outside(event);
  }, true);
}

export default function (component) {
  const {data, parentElement, setStateValue, key} = component;
  const root = parentElement.querySelector(".rnn-stepper");
  if (!root || !data) return undefined;
  let s = STEPPERS.get(key);
  if (!s) {
    s = {step: null, sentStep: null, id: null, synced: null, playing: false, timer: null,
      speed: 1000, animation: null};
    STEPPERS.set(key, s);
  }
  s.setStateValue = setStateValue;
  const fresh = s.root !== root;
  s.root = root;
  const previous = s.data;
  s.data = data;
  // Python's step wins when Python moved it (a link, a lesson, another sequence); otherwise
  // the step the browser is on stays.
  if (s.step === null || s.id !== data.id || s.sentStep !== data.step) {
    s.step = data.step - 1;
    s.synced = data.step;
  }
  s.id = data.id;
  s.sentStep = data.step;
  s.step = Math.max(0, Math.min(data.steps - 1, s.step));
  if (fresh) root.dataset.wired = "";
  wire(s);
  installDocumentListeners();
  if (s.playing && !s.timer) setPlaying(s, true);
  render(s, previous && previous.id === data.id ? null : null);
  // Streamlit writes the page's link after a rerun; the step the browser is on goes back in.
  setTimeout(() => { if (s.root === root) writeUrl(s); }, 300);
  return () => {
    setPlaying(s, false);
    if (STEPPERS.get(key) === s && !root.isConnected) STEPPERS.delete(key);
  };
}
