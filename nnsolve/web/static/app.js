/* nnsolve's web pages: a little vanilla JavaScript over the JSON API (/api). No framework, nothing from the network.
   User text is only ever sent to the server and shown as text; the HTML placed in the page is what the server
   renders (the worked solution's fragment, the grading charts' SVG). */
"use strict";

const $ = (id) => document.getElementById(id);

/* -- talking to the API ------------------------------------------------------------------------------------ */
class ApiError extends Error {
  constructor(status, data) {
    super(data.error || `the server answered ${status}`);
    this.status = status;
    this.issues = data.issues || [];
    this.kind = data.kind || "";
  }
}

async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (e) {
    throw new ApiError(0, { error: `cannot reach the nnsolve server (${e.message}); is nnsolve serve still running?` });
  }
  if (!response.ok) {
    let data;
    try { data = await response.json(); } catch (e) { data = { error: `the server answered ${response.status}` }; }
    throw new ApiError(response.status, data);
  }
  return response;
}

const asText = (text) => ({ method: "POST", body: text, headers: { "Content-Type": "application/yaml" } });
const asJson = (value) => ({ method: "POST", body: JSON.stringify(value), headers: { "Content-Type": "application/json" } });

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

/* the error box under the title: the message and each located issue, never swallowed */
function showError(error, where = $("error")) {
  where.replaceChildren();
  const message = error instanceof ApiError || error instanceof Error ? error.message : String(error);
  where.append(el("p", { class: "error-message", text: message.split("\n")[0] }));
  const issues = error.issues || [];
  if (issues.length) {
    const list = el("ul");
    for (const issue of issues) list.append(el("li", { text: issueText(issue) }));
    where.append(list);
  } else if (message.includes("\n")) {
    where.append(el("pre", { text: message.split("\n").slice(1).join("\n") }));
  }
  where.hidden = false;
  if (where.id === "error") where.scrollIntoView({ block: "nearest" });
}

function clearError(where = $("error")) {
  where.hidden = true;
  where.replaceChildren();
}

function issueText(issue) {
  const place = issue.path ? `${issue.path}: ` : "";
  return (issue.line ? `line ${issue.line}: ` : "") + place + issue.message;
}

/* run an action; any error goes to the error box */
async function guarded(action, button) {
  clearError();
  if (button) button.disabled = true;
  try {
    return await action();
  } catch (e) {
    showError(e);
  } finally {
    if (button) button.disabled = false;
  }
}

function fileName(response, fallback) {
  const found = /filename="?([^";]+)"?/.exec(response.headers.get("Content-Disposition") || "");
  return found ? found[1] : fallback;
}

/* a download: the reply as a Blob, saved through a temporary link */
async function download(path, options, fallback) {
  const response = await api(path, options);
  saveBlob(await response.blob(), fileName(response, fallback));
  return response;
}

function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function debounce(action, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => action(...args), ms); };
}

/* -- the catalogue's pickers ---------------------------------------------------------------------------------- */
let catalogue = null;

async function fillPickers(onLoad) {
  const pickers = document.querySelectorAll("select[data-groups]");
  if (!pickers.length) return;
  try {
    catalogue = await (await api("/api/examples")).json();
  } catch (e) {
    showError(e);
    return;
  }
  const labels = { templates: "Templates", examples: "Examples", snippets: "Snippets", classes: "Classes" };
  for (const select of pickers) {
    for (const group of select.dataset.groups.split(" ")) {
      let entries = catalogue[group === "variants" ? "examples" : group] || [];
      if (group === "variants") entries = entries.filter((e) => e.name.startsWith("variants/"));
      if (!entries.length) continue;
      const optgroup = el("optgroup", { label: group === "variants" ? "With variants" : labels[group] });
      for (const entry of entries) {
        const title = entry.title && entry.title !== entry.name ? ` — ${entry.title}` : "";
        optgroup.append(el("option", { value: entry.name, text: entry.name + title }));
      }
      select.append(optgroup);
    }
    const button = document.querySelector(`[data-load="${select.id}"]`);
    const load = () => select.value && guarded(async () => {
      const text = await (await api(`/api/examples/${select.value.split("/").map(encodeURIComponent).join("/")}`)).text();
      await onLoad(select.id, text, select.value);
    }, button);
    button.addEventListener("click", load);
    select.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); load(); } });
  }
}

function choose(select, name) {
  if ([...select.options].some((o) => o.value === name)) select.value = name;
}

/* -- / Solve ---------------------------------------------------------------------------------------------------- */
function solvePage() {
  const editor = $("editor"), gutter = $("gutter"), status = $("status"), issues = $("issues");
  const solution = $("solution");
  let marked = new Set(), asked = 0, latest = 0, solving = 0, lastSolved = null, drawn = "";

  const lines = () => editor.value.split("\n").length;
  function drawGutter() {
    const count = lines(), key = `${count}:${[...marked].join(",")}`;
    gutter.scrollTop = editor.scrollTop;
    if (key === drawn) return;                     // the same lines, the same marks: nothing to redraw
    drawn = key;
    gutter.replaceChildren();
    for (let n = 1; n <= count; n++) {
      const number = el("span", { text: String(n), "data-line": String(n) });
      if (marked.has(n)) number.className = "bad";
      gutter.append(number, "\n");
    }
    gutter.scrollTop = editor.scrollTop;
  }

  function showIssues(found) {
    issues.replaceChildren();
    marked = new Set(found.filter((i) => i.line).map((i) => i.line));
    for (const issue of found) {
      const item = el("li", { text: issueText(issue) });
      if (issue.line) {
        item.dataset.line = issue.line;
        item.tabIndex = 0;
        item.title = "go to the line";
        const go = () => goToLine(issue.line);
        item.addEventListener("click", go);
        item.addEventListener("keydown", (e) => { if (e.key === "Enter") go(); });
      }
      issues.append(item);
    }
    drawGutter();
  }

  function goToLine(line) {
    const text = editor.value.split("\n");
    const start = text.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    editor.focus();
    editor.setSelectionRange(start, start + (text[line - 1] || "").length);
    const height = editor.scrollHeight / Math.max(1, text.length);
    editor.scrollTop = Math.max(0, (line - 3) * height);
  }

  let validating = null, solvingNow = null;      // the requests in flight: a newer one aborts the older, whose
                                                 // work the server then drops if it has not begun
  async function validate() {
    const text = editor.value, mine = ++latest;
    if (validating) validating.abort();
    validating = new AbortController();
    if (!text.trim()) {
      status.className = "status";
      status.textContent = "Type or load a problem.";
      showIssues([]);
      return;
    }
    status.textContent = "Checking…";
    try {
      const result = await (await api("/api/validate", { ...asText(text), signal: validating.signal })).json();
      if (mine !== latest) return;                 // the text changed since: a newer answer is on its way
      clearError();
      if (result.ok) {
        asked = result.asks.length;
        status.className = "status ok";
        status.textContent = `Valid: ${result.family}, ${asked} quantit${asked === 1 ? "y" : "ies"} asked.`;
        showIssues([]);
        stale(text !== lastSolved && lastSolved !== null);
        if ($("auto-solve").checked && text !== lastSolved) solve();
      } else {
        status.className = "status bad";
        const n = result.issues.length;
        status.textContent = `${n} issue${n === 1 ? "" : "s"}:`;
        showIssues(result.issues.length ? result.issues : [{ path: "", message: result.message, line: null }]);
        stale(lastSolved !== null);
      }
    } catch (e) {
      if (mine !== latest) return;
      status.className = "status bad";
      status.textContent = "Not checked:";
      showIssues(e.issues && e.issues.length ? e.issues : [{ path: "", message: e.message, line: null }]);
    }
  }

  function stale(old) {                           // the solution shown is of an earlier text
    solution.classList.toggle("stale", old);
    solution.title = old ? "the solution of the last text solved, not of the text in the editor" : "";
  }

  async function solve() {
    const text = editor.value;
    if (!text.trim()) return;
    const mine = ++solving;
    if (solvingNow) solvingNow.abort();
    solvingNow = new AbortController();
    const signal = solvingNow.signal;
    await guarded(async () => {
      solution.setAttribute("aria-busy", "true");
      try {
        const html = await (await api("/api/solve?format=html&fragment=true", { ...asText(text), signal })).text();
        if (mine !== solving) return;              // a later solve is on its way: its answer is the one to show
        solution.innerHTML = html;
        lastSolved = text;
        stale(editor.value !== text);
      } catch (e) {
        if (mine !== solving) return;
        solution.replaceChildren(el("p", { class: "placeholder", text: "Not solved: see the message above." }));
        throw e;
      } finally {
        solution.removeAttribute("aria-busy");
      }
    }, $("solve"));
  }

  async function refreshSaved(select) {
    try {
      const items = await (await api("/api/saved?kind=problem")).json();
      const list = $("saved-list");
      list.replaceChildren(el("option", { value: "", text: items.length ? "— choose —" : "— none yet —" }));
      for (const item of items) {
        list.append(el("option", { value: String(item.id), text: `${item.name} (${item.updated.replace("T", " ").slice(0, 16)})` }));
      }
      if (select) list.value = String(select);
    } catch (e) {
      $("save-status").textContent = `Saved problems unavailable: ${e.message}`;
    }
  }

  const DRAFT = "nnsolve.draft";                   // the editor's text, kept in this browser across reloads
  const keep = debounce(() => { try { localStorage.setItem(DRAFT, editor.value); } catch (e) { /* private mode */ } }, 400);
  editor.addEventListener("input", () => { drawGutter(); validateSoon(); keep(); });
  editor.addEventListener("scroll", () => { gutter.scrollTop = editor.scrollTop; });
  editor.addEventListener("keydown", (e) => {          // Tab indents by two spaces; Escape leaves the editor
    if (e.key === "Tab" && !e.shiftKey && !e.ctrlKey && !e.altKey) {
      e.preventDefault();
      editor.setRangeText("  ", editor.selectionStart, editor.selectionEnd, "end");
      drawGutter();
      validateSoon();
      keep();
    } else if (e.key === "Escape") {
      $("solve").focus();
    } else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      solve();
    }
  });
  const validateSoon = debounce(validate, 400);
  $("solve").addEventListener("click", solve);
  for (const button of document.querySelectorAll("#downloads button")) {
    button.addEventListener("click", () => guarded(
      () => download(`/api/solve?format=${button.dataset.format}&download=true`, asText(editor.value),
                     `solution.${{ markdown: "md", html: "html", latex: "tex", json: "json" }[button.dataset.format]}`),
      button));
  }
  $("save").addEventListener("click", () => guarded(async () => {
    const name = $("save-name").value.trim() || "untitled";
    const item = await (await api("/api/saved", asJson({ kind: "problem", name, text: editor.value }))).json();
    $("save-status").textContent = `Saved as “${item.name}”.`;
    await refreshSaved(item.id);
  }, $("save")));
  $("open-saved").addEventListener("click", () => $("saved-list").value && guarded(async () => {
    const item = await (await api(`/api/saved/${$("saved-list").value}`)).json();
    editor.value = item.text;
    $("save-name").value = item.name;
    keep();
    drawGutter();
    await validate();
  }, $("open-saved")));

  fillPickers(async (id, text, name) => {
    editor.value = text;
    keep();
    $("save-name").value = name.replace(/^template\//, "").replace(/\.(ya?ml|json)$/, "").replace(/\//g, "-");
    drawGutter();
    await validate();
  }).then(() => choose($("example-picker"), "demo-two-layer-tanh.yaml"));
  refreshSaved();
  let draft = null;
  try { draft = localStorage.getItem(DRAFT); } catch (e) { /* storage refused: start empty */ }
  if (draft && !editor.value) {
    editor.value = draft;
    validate();
  }
  drawGutter();
}

/* -- /check Check my work --------------------------------------------------------------------------------------- */
/* an answer as typed: a number (kept as its text, so 0.1 stays exact) or a nested list of them: [[1, 2], [3, 4]] */
function parseAnswer(text) {
  const tokens = text.match(/\[|\]|,|[^\[\],\s]+/g) || [];
  let at = 0;
  function value() {
    const token = tokens[at++];
    if (token === undefined) throw new Error("the answer ends early");
    if (token === "[") {
      const items = [];
      if (tokens[at] === "]") { at++; return items; }
      for (;;) {
        items.push(value());
        const next = tokens[at++];
        if (next === "]") return items;
        if (next !== ",") throw new Error(`expected , or ] ${next === undefined ? "at the end" : `before “${next}”`}`);
      }
    }
    if (token === "]" || token === ",") throw new Error(`unexpected “${token}”`);
    return token;
  }
  const result = value();
  if (at !== tokens.length) throw new Error(`unexpected “${tokens[at]}” after the answer`);
  return result;
}

function shapeText(shape) {
  if (!shape.length) return "a number";
  if (shape.length === 1) return `a vector of ${shape[0]}`;
  return `a ${shape.join(" × ")} ${shape.length === 2 ? "matrix" : "array"}`;
}

function stepwise(container, counter, next, all) {
  /* reveal a worked solution a step at a time: the givens (a step of one row, symbol = value) from the start, then
     each derived step in order, the answers table last; the picture, which carries every value, once all are shown */
  const steps = [...container.querySelectorAll(".step")];
  const given = (step) => step.classList.contains("given");
  const items = steps.filter((step) => !given(step)).concat([...container.querySelectorAll("section.answers")]);
  const pictures = [...container.querySelectorAll("figure.picture")];
  let shown = 0;
  function update() {
    items.forEach((item, k) => { item.hidden = k >= shown; });
    pictures.forEach((picture) => { picture.hidden = shown < items.length; });
    for (const section of container.querySelectorAll("section")) {     // a part shows once one of its steps does
      const inside = [...section.querySelectorAll(".step")];
      if (inside.length) section.hidden = inside.every((step) => step.hidden);
    }
    counter.textContent = `${Math.min(shown, items.length)} of ${items.length} steps shown`;
    next.hidden = all.hidden = shown >= items.length;
    const last = items[shown - 1];
    if (last) { last.classList.add("revealed"); last.scrollIntoView({ block: "nearest" }); }
  }
  next.onclick = () => { shown = Math.min(items.length, shown + 1); update(); };
  all.onclick = () => { shown = items.length; update(); };
  shown = 1;
  update();
}

function checkPage() {
  const question = $("question"), form = $("answers"), result = $("check-result");
  let problem = "", asks = [];

  async function use(text) {
    problem = "";
    form.replaceChildren();
    result.replaceChildren();
    $("check-answers").disabled = $("reveal").disabled = true;
    $("check-solution").hidden = true;
    $("next-step").hidden = $("show-all").hidden = true;
    $("step-count").textContent = "";
    const valid = await (await api("/api/validate", asText(text))).json();
    if (!valid.ok) {
      question.replaceChildren(el("p", { class: "placeholder", text: "This problem cannot be solved as written." }));
      throw Object.assign(new Error(valid.message.split("\n")[0]), { issues: valid.issues });
    }
    try {
      question.innerHTML = await (await api("/api/solve?format=html&fragment=true&handout=true", asText(text))).text();
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 422) throw e;
      // a problem the handout cannot state (no statement: and no givens of its own): its file, without its key and
      // its comments, is the question
      const why = (e.issues[0] || e).message;
      question.replaceChildren(valid.question === null
        ? el("p", { class: "bad", id: "question-note", text: `No question to show apart from its solution (${why}), ` +
            "and its key cannot be cut out of the file: ask for the problem with a statement:." })
        : el("p", { class: "hint", id: "question-note",
                    text: `No question to show apart from its solution (${why}); the problem file, without its key:` }),
        ...(valid.question === null ? [] : [el("pre", { class: "text", text: valid.question })]));
    }
    problem = text;
    asks = valid.asks;
    const symbols = {};
    for (const item of question.querySelectorAll(".questions li")) {
      const code = item.querySelector("code"), math = item.querySelector("math");
      if (code && math) symbols[code.textContent] = math;
    }
    asks.forEach((ask, k) => {
      const input = el("input", { type: "text", id: `answer-${k}`, "data-id": ask.id, spellcheck: "false",
                                  "aria-describedby": `answer-${k}-shape`,
                                  placeholder: ["0.25", "[…, …]", "[[…, …], […, …]]"][Math.min(ask.shape.length, 2)] });
      const label = el("label", { for: input.id, class: "answer-label" });
      if (symbols[ask.id]) label.append(symbols[ask.id].cloneNode(true), " ");
      label.append(el("code", { text: ask.id }));
      const row = el("div", { class: "answer", id: `answer-row-${k}`, "data-id": ask.id }, label, input,
                     el("span", { class: "shape", id: `answer-${k}-shape`, text: shapeText(ask.shape) }),
                     el("div", { class: "verdict", id: `verdict-${k}`, "aria-live": "polite" }));
      form.append(row);
    });
    if (!asks.length) form.append(el("p", { class: "placeholder", text: "This problem asks for nothing to check." }));
    $("check-answers").disabled = !asks.length;
    $("reveal").disabled = false;
    const first = form.querySelector("input");
    if (first) first.focus();
  }

  async function check() {
    const answers = {};
    const bad = [];
    for (const input of form.querySelectorAll("input[data-id]")) {
      input.removeAttribute("aria-invalid");
      if (!input.value.trim()) continue;
      try {
        answers[input.dataset.id] = parseAnswer(input.value);
      } catch (e) {
        input.setAttribute("aria-invalid", "true");
        bad.push({ path: input.dataset.id, message: e.message, line: null });
      }
    }
    if (bad.length) throw Object.assign(new Error("some answers cannot be read"), { issues: bad });
    if (!Object.keys(answers).length) throw new Error("type at least one answer to check");
    for (const row of form.querySelectorAll(".answer")) {
      row.classList.remove("right", "wrong", "first-wrong", "unchecked");
      row.querySelector(".verdict").replaceChildren();
    }
    const report = await (await api("/api/check-answers", asJson({ problem, answers, hide_solution: true }))).json();
    const rows = Object.fromEntries([...form.querySelectorAll(".answer")].map((r) => [r.dataset.id, r]));
    for (const row of Object.values(rows)) if (!(row.dataset.id in answers)) row.classList.add("unchecked");
    for (const r of report.results) {
      const row = rows[r.id];
      if (!row) continue;
      const verdict = row.querySelector(".verdict");
      row.classList.add(r.ok ? "right" : "wrong");
      const lines = [r.ok ? "✓ right" : "✗ wrong"];
      if (r.first_divergence) {
        row.classList.add("first-wrong");
        lines[0] = "✗ your first wrong step";
      }
      if (r.shape_note) lines.push(r.shape_note);
      if (r.matches_if && r.matches_if.length) lines.push(`likely slip: ${r.matches_if.join("; ")}`);
      if (r.consistent_with && r.consistent_with.length) {
        lines.push(`follows from your earlier ${r.consistent_with.join(", ")} (carried forward)`);
      }
      lines.forEach((line, k) => verdict.append(el(k ? "p" : "strong", { text: line })));
    }
    const s = report.summary;
    result.replaceChildren(el("p", { id: "check-summary", class: report.ok ? "ok" : "bad",
      text: `${s.agree} of ${s.answers} right` + (report.first_divergence ? `; your first wrong step: ${report.first_divergence}` : ".") }));
    const first = form.querySelector(".first-wrong input");
    if (first) first.focus();
  }

  async function reveal() {
    const box = $("check-solution");
    box.innerHTML = await (await api("/api/solve?format=html&fragment=true", asText(problem))).text();
    box.hidden = false;
    stepwise(box, $("step-count"), $("next-step"), $("show-all"));
    $("next-step").focus();
  }

  $("check-answers").addEventListener("click", () => guarded(check, $("check-answers")));
  form.addEventListener("submit", (e) => { e.preventDefault(); guarded(check, $("check-answers")); });
  form.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.target.matches("input")) { e.preventDefault(); guarded(check, $("check-answers")); }
  });
  $("reveal").addEventListener("click", () => guarded(reveal, $("reveal")));
  $("check-use").addEventListener("click", () => guarded(() => use($("check-problem").value), $("check-use")));
  fillPickers(async (id, text) => {
    $("check-problem").value = text;
    await use(text);
  }).then(() => choose($("check-example"), "demo-two-layer-tanh.yaml"));
}

/* -- /grade Check a key, grade a class ------------------------------------------------------------------------ */
function table(head, rows, attrs = {}) {
  const t = el("table", { class: "table", ...attrs });
  t.append(el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { text: h })))));
  const body = el("tbody");
  for (const row of rows) body.append(el("tr", {}, ...row.map((c) => (c instanceof Node ? el("td", {}, c) : el("td", { text: c ?? "" })))));
  t.append(body);
  return t;
}

const shown = (value) => (Array.isArray(value) ? `[${value.map(shown).join(", ")}]` : value ?? "");

function gradePage() {
  async function checkKey() {
    const text = $("key-problem").value;
    const result = $("key-result"), solution = $("key-solution");
    result.replaceChildren();
    solution.replaceChildren();
    const report = await (await api("/api/check", asText(text))).json();
    const s = report.summary;
    if (!s.answers) {
      result.append(el("p", { class: "bad", text: "This file has no answers: to check; add them (answers: {u1: [0.1, 0.2]})." }));
    } else {
      result.append(el("p", { id: "key-summary", class: report.ok ? "ok" : "bad",
        text: `${s.agree} of ${s.answers} answers agree` + (report.first_divergence ? `; first divergence: ${report.first_divergence}` : ".") }));
    }
    const rows = report.results.map((r) => {
      const mark = el("span", { class: r.ok ? "ok" : "bad", text: r.ok ? "✓ agree" : "✗ wrong" });
      return [r.id + (r.line ? ` (line ${r.line})` : ""), shown(r.key), shown(r.computed_rounded), mark,
              [r.rule, r.reason, r.shape_note].filter(Boolean).join("; "), r.first_divergence ? "first" : "",
              (r.matches_if || []).join("; ") + (r.consistent_with && r.consistent_with.length ? ` consistent with ${r.consistent_with.join(", ")}` : "")];
    });
    if (rows.length) {
      result.append(el("div", { class: "scroll" }, table(["Answer", "Key", "Computed", "Verdict", "Rule / reason",
                                                            "Divergence", "Matches if"], rows, { id: "verdicts" })));
      report.results.forEach((r, k) => { if (r.first_divergence) result.querySelectorAll("tbody tr")[k].classList.add("first-wrong"); });
    }
    solution.innerHTML = await (await api("/api/solve?format=html&fragment=true", asText(text))).text();
    besideTheSteps(solution, report.results);
  }

  function besideTheSteps(solution, results) {
    /* each answer's verdict on the step of its quantity (an element's on its matrix's step) */
    for (const r of results) {
      const step = solution.querySelector(`.step[data-id="${CSS.escape(r.quantity.replace(/\[.*$/, ""))}"]`);
      if (!step) continue;
      const why = r.ok ? r.rule : [r.reason, r.shape_note, (r.matches_if || []).length ? `matches if: ${r.matches_if.join("; or: ")}` : ""]
        .filter(Boolean).join("; ");
      step.classList.add(r.ok ? "key-right" : "key-wrong");
      if (r.first_divergence) step.classList.add("key-first");
      step.prepend(el("p", { class: `key-verdict ${r.ok ? "ok" : "bad"}`, "data-answer": r.id,
        text: `${r.ok ? "✓" : "✗"} the key's ${r.id} = ${shown(r.key)}${r.first_divergence ? " (first divergence)" : ""}` +
              (why ? `: ${why}` : "") }));
    }
  }

  function showGrade(data) {
    $("grade-result").hidden = false;
    $("grade-summary").textContent = data.summary;
    const charts = $("charts");
    charts.replaceChildren();
    for (const [name, svg] of Object.entries(data.charts || {})) {
      const figure = el("figure", { class: "chart", id: `chart-${name}` });
      figure.innerHTML = svg;                      // matplotlib's SVG, made by the server
      figure.append(el("figcaption", { text: name }));
      charts.append(figure);
    }
    if (!Object.keys(data.charts || {}).length) charts.append(el("p", { class: "hint", text: "No charts: matplotlib is not installed on the server." }));
    $("gradebook").replaceWith(table(data.columns, data.rows, { id: "gradebook" }));
    const book = $("download-gradebook"), report = $("download-report"), feedback = $("download-feedback");
    if (data.run) {
      book.href = `/api/runs/${data.run}/gradebook.csv`;
      report.href = `/api/runs/${data.run}/report.md`;
      book.download = `gradebook-${data.run}.csv`;
      report.download = `report-${data.run}.md`;
      feedback.href = `/api/runs/${data.run}/feedback.zip`;     // each student's page, as grade --feedback writes it
      feedback.download = `feedback-${data.run}.zip`;
      feedback.hidden = false;
      $("grade-saved").textContent = `Saved as run ${data.run}.`;
    } else {
      book.href = URL.createObjectURL(new Blob([data.gradebook], { type: "text/csv" }));
      report.href = URL.createObjectURL(new Blob([data.report], { type: "text/markdown" }));
      feedback.hidden = true;                      // a run not kept cannot be marked again for its feedback
      $("grade-saved").textContent = data.saved || "";
    }
  }

  let exampleClass = null;                         // the catalogue's class CSV, when chosen instead of a file
  $("grade-csv").addEventListener("change", () => { exampleClass = null; $("grade-class-name").textContent = ""; });

  async function grade() {
    const file = $("grade-csv").files[0] || exampleClass;
    if (!$("grade-problem").value.trim()) throw new Error("give the problem (with its marking:) first");
    if (!file) throw new Error("choose the class's CSV file first");
    const form = new FormData();
    form.append("problem", $("grade-problem").value);
    form.append("submissions", file, file.name);
    if ($("grade-columns").value.trim()) form.append("columns", $("grade-columns").value.trim());
    form.append("layout", $("grade-layout").value);
    const data = await (await api("/api/grade", { method: "POST", body: form })).json();
    showGrade(data);
    await refreshRuns();
  }

  async function refreshRuns() {
    const list = $("runs-list");
    try {
      const runs = await (await api("/api/runs")).json();
      list.replaceChildren();
      if (!runs.length) list.append(el("li", { class: "placeholder", text: "None yet." }));
      for (const run of runs) {
        const open = el("button", { type: "button", class: "link", text: `${run.title}` });
        open.addEventListener("click", () => guarded(async () => {
          const found = await (await api(`/api/runs/${run.id}`)).json();
          $("grade-problem").value = found.problem;
          showGrade(found.result);
          $("grade-result").scrollIntoView({ block: "start" });
        }));
        list.append(el("li", { "data-run": String(run.id) }, el("span", { class: "run-id", text: `#${run.id}` }), " ", open,
          ` — ${run.submissions}, ${run.created.replace("T", " ").slice(0, 16)} · `,
          el("a", { href: `/api/runs/${run.id}/gradebook.csv`, download: `gradebook-${run.id}.csv`, text: "gradebook" }), " · ",
          el("a", { href: `/api/runs/${run.id}/report.md`, download: `report-${run.id}.md`, text: "report" })));
      }
    } catch (e) {
      list.replaceChildren(el("li", { class: "bad", text: `Earlier runs unavailable: ${e.message}` }));
    }
  }

  $("check-key").addEventListener("click", () => guarded(checkKey, $("check-key")));
  $("grade-run").addEventListener("click", () => guarded(grade, $("grade-run")));
  fillPickers(async (id, text) => {
    $(id === "key-example" ? "key-problem" : "grade-problem").value = text;
  }).then(() => {
    const classes = (catalogue && catalogue.classes) || [];
    if (classes.length) {
      const button = $("grade-example-class");
      button.textContent = `or use the example class (${classes[0].name})`;
      button.hidden = false;
      button.addEventListener("click", () => guarded(async () => {
        const text = await (await api(`/api/examples/${classes[0].name.split("/").map(encodeURIComponent).join("/")}`)).text();
        exampleClass = new File([text], classes[0].name.split("/").pop(), { type: "text/csv" });
        $("grade-csv").value = "";
        $("grade-class-name").textContent = `using ${classes[0].name}`;
      }, button));
    }
    choose($("key-example"), "ntu-000/q2c-output-bce.yaml");
    choose($("grade-example"), "grading/problem.yaml");
  });
  refreshRuns();
}

/* -- /summary -------------------------------------------------------------------------------------------------- */
function summaryPage() {
  const count = (n) => Number(n).toLocaleString("en");
  const shape = (s) => (s ? `(${s.join(", ")})` : "");
  const field = (rf) => (Array.isArray(rf) && rf.length ? rf.map((d) => d.size).join("×") + ` (jump ${rf.map((d) => d.jump).join("×")})` : "");

  async function summarize() {
    const text = $("snippet").value;
    if (!text.trim()) throw new Error("paste a snippet first");
    const query = new URLSearchParams({ kind: $("summary-kind").value, style: $("summary-style").value });
    if ($("input-shape").value.trim()) query.set("input_shape", $("input-shape").value.trim());
    if ($("flops").value) query.set("flops", $("flops").value);
    const body = { method: "POST", body: text, headers: { "Content-Type": "text/plain" } };
    query.set("format", "json");
    const data = await (await api(`/api/summary?${query}`, body)).json();
    query.set("format", "text");
    const plain = await (await api(`/api/summary?${query}`, body)).text();
    const result = $("summary-result");
    result.replaceChildren();
    result.append(el("p", { text: `${data.architecture}: input ${shape(data.input_shape)}${data.layout ? ` (${data.layout.replace("_", "-")})` : ""}, ${data.layers.length} layers` }));
    const rows = data.layers.map((l) => [l.name, l.kind, shape(l.output_shape), count(l.params), count(l.macs), count(l.flops), field(l.receptive_field)]);
    const t = table(["Layer", "Kind", "Output shape", "Params", "MACs", "FLOPs", "Receptive field"], rows, { id: "summary-table" });
    const totals = data.totals || {};
    t.append(el("tfoot", {}, el("tr", {}, el("th", { text: "Total" }), el("td"), el("td"), el("td", { text: count(totals.params) }),
      el("td", { text: count(totals.macs) }), el("td", { text: count(totals.flops) }), el("td"))));
    result.append(el("div", { class: "scroll" }, t));
    const facts = el("ul", { id: "summary-totals" },
      el("li", { text: `Trainable parameters: ${count(totals.trainable)}` }),
      el("li", { text: `Non-trainable parameters: ${count(totals.non_trainable)}` }));
    result.append(facts);
    const conventions = el("dl", { class: "conventions", id: "summary-conventions" });
    for (const [name, text] of Object.entries(data.conventions || {})) conventions.append(el("dt", { text: name }), el("dd", { text }));
    result.append(el("h2", { text: "Conventions" }), conventions);
    for (const [key, label] of [["passed_over", "Passed over"], ["taken_as_given", "Taken as given"]]) {
      if (data[key] && data[key].length) result.append(el("p", { text: `${label}: ${data[key].map(shown).join("; ")}` }));
    }
    $("summary-text").textContent = plain;
  }

  $("summarize").addEventListener("click", () => guarded(summarize, $("summarize")));
  fillPickers(async (id, text) => { $("snippet").value = text; $("summary-kind").value = "snippet"; })
    .then(() => choose($("summary-example"), "snippets/small_keras.py"));
}

/* -- /publish Variants and export --------------------------------------------------------------------------- */
function publishPage() {
  let drawn = [];

  function request(archive) {
    const problem = $("publish-problem").value;
    if (!problem.trim()) throw new Error("give a problem with a variants: block first");
    const body = { problem, count: Number($("vary-count").value) || 5, archive };
    if ($("vary-seed").value !== "") body.seed = Number($("vary-seed").value);
    return body;
  }

  async function vary() {
    const data = await (await api("/api/vary", asJson(request(false)))).json();
    drawn = data.variants;
    $("vary-seed").placeholder = `random (last: ${data.seed})`;
    $("vary-report").textContent = data.report;
    $("vary-report").hidden = false;
    const list = $("variants-list");
    list.replaceChildren();
    for (const variant of drawn) {
      list.append(el("li", {}, el("details", {}, el("summary", { text: variant.name }), el("pre", { class: "text", text: variant.text }))));
    }
  }

  async function exportFile() {
    const to = $("export-to").value;
    let problems;
    if ($("export-what").value === "variants") {
      if (!drawn.length) throw new Error("draw the variants first");
      problems = drawn.map((v) => ({ name: `${v.name}.yaml`.replace(/\.yaml\.yaml$/, ".yaml"), text: v.text }));
    } else {
      if (!$("publish-problem").value.trim()) throw new Error("give a problem first");
      problems = [{ name: "problem.yaml", text: $("publish-problem").value }];
    }
    const response = await download("/api/export", asJson({ problems, to }), "questions");
    $("export-notes").textContent = (response.headers.get("X-Nnsolve-Notes") || "Exported.").replace(/ \| /g, "\n");
  }

  $("vary").addEventListener("click", () => guarded(vary, $("vary")));
  $("vary-zip").addEventListener("click", () => guarded(() => download("/api/vary", asJson(request(true)), "variants.zip"), $("vary-zip")));
  $("export").addEventListener("click", () => guarded(exportFile, $("export")));
  fillPickers(async (id, text) => { $("publish-problem").value = text; drawn = []; $("variants-list").replaceChildren(); })
    .then(() => choose($("publish-example"), "variants/dense-three-layer-backprop.yaml"));
}

const PAGES = { solve: solvePage, check: checkPage, grade: gradePage, summary: summaryPage, publish: publishPage };
document.addEventListener("DOMContentLoaded", () => {
  const page = PAGES[document.body.dataset.page];
  if (page) page();
});
