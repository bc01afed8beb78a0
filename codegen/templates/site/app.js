// The catalog browser: lists, filters and sorts the models, shows one model's facts with
// their sources and history, the waived vendor contradictions, and checks a fine-tuning job
// with checker.js. The data is the JSON document in index.html (codegen/site.py).
//
// Every catalog value enters the page as a text node or an attribute value (never as
// markup), and a link only when it is an http(s) address or a link to a model of this page.
(function () {
  "use strict";

  const api = window.togetherCatalog;
  const data = JSON.parse(document.getElementById("catalog-data").textContent);
  const checker = api.createChecker(data.checker);
  const $ = (id) => document.getElementById(id);

  // --- DOM helpers ---------------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on")) throw new Error("el: no event handler attributes");
      if (key === "text") node.textContent = String(value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child !== null && child !== undefined && child !== false) node.append(child);
    }
    return node;
  }

  const webUrl = (url) => (typeof url === "string" && /^https?:\/\//i.test(url) ? url : null);

  function sourceLink(url, text) {
    const href = webUrl(url);
    return href ? el("a", { href, rel: "noopener noreferrer", text }) : el("span", { text: `${text} (${url})` });
  }

  const modelHref = (id) => "#model=" + encodeURIComponent(id);
  const fold = (text) => api.casefold(String(text));

  // --- the model index ---------------------------------------------------------------------

  const columnInfo = new Map(data.columns.map((c) => [c.field, c]));
  for (const table of data.tables) table.index = new Map(table.columns.map((c, i) => [c.field, i]));
  const cell = (table, row, field) => {
    const i = table.index.get(field);
    return i === undefined || row.cells[i] === undefined ? null : row.cells[i];
  };

  const models = new Map();
  function listing(table, row, retired) {
    const id = cell(table, row, "model");
    if (!models.has(id)) models.set(id, { id, listings: [], retired: [] });
    models.get(id)[retired ? "retired" : "listings"].push({ table, row });
  }
  for (const table of data.tables) {
    for (const row of table.rows) listing(table, row, false);
    for (const row of table.retired) listing(table, row, true);
  }

  function first(entries, field, kind) {
    for (const { table, row } of entries) {
      if (kind && table.kind !== kind) continue;
      const value = cell(table, row, field);
      if (value !== null) return value;
    }
    return null;
  }

  function flag(entries, field) {
    // As the runtime's supports(): a Yes in any listing wins; null when none publishes it.
    let seen = null;
    for (const { table, row } of entries) {
      const value = cell(table, row, field);
      if (value === true) return true;
      if (value === false) seen = false;
    }
    return seen;
  }

  // The headline price of a model, from its first serverless listing that publishes one:
  // token prices (input / output, or one price for all tokens), else a price per megapixel,
  // per video, or per the unit a rate states. Sorted by unit (tokens first), then amount.
  const TOKENS = "1M tokens";
  function priceOf(entries) {
    for (const { table, row } of entries) {
      if (table.kind !== "serverless") continue;
      const get = (field) => cell(table, row, field);
      const input = get("input_price");
      const output = get("output_price");
      if (input !== null || output !== null) {
        const both = input !== null && output !== null;
        const amount = both ? `$${input} / $${output}` : `$${input !== null ? input : output}`;
        const unit = `${both ? "in / out" : input !== null ? "in" : "out"} per ${TOKENS}`;
        return { amount, unit, group: TOKENS, value: Number.parseFloat(input !== null ? input : output) };
      }
      const simple = [["token_price", TOKENS], ["price_per_megapixel", "MP"], ["price_per_video", "video"]];
      for (const [field, group] of simple) {
        const value = get(field);
        if (value !== null) return { amount: "$" + value, unit: `per ${group}`, group, value: Number.parseFloat(value) };
      }
      const rate = get("price"); // "15.00 per 1M chars"
      if (rate !== null) {
        const [value, ...unit] = String(rate).split(" per ");
        return { amount: "$" + value, unit: `per ${unit.join(" per ")}`, group: unit.join(" per "), value: Number.parseFloat(value) };
      }
    }
    return null;
  }

  for (const m of models.values()) {
    const entries = m.listings.length ? m.listings : m.retired;
    m.current = m.listings.length > 0;
    m.name = first(entries, "model_name");
    m.organization = first(entries, "organization");
    m.names = [...new Set(entries.map(({ table, row }) => cell(table, row, "model_name")).filter((n) => n !== null))];
    m.tables = [...new Set(m.listings.map(({ table }) => table.id))];
    m.listed = m.listings.map(({ table }) => table.label).filter((v, i, all) => all.indexOf(v) === i).join(", ");
    m.context = first(entries, "context_length", "serverless");
    m.ft_context = first(entries, "context_length_sft", "finetune");
    m.price = priceOf(entries);
    m.function_calling = flag(entries, "function_calling");
    m.structured_outputs = flag(entries, "structured_outputs");
    m.modalities = [...new Set(entries.map(({ table, row }) => cell(table, row, "modality")).filter((v) => v !== null))];
    m.modality = m.modalities.join(", ") || null;
    m.search = [m.id, ...m.names].map(fold);
  }
  const currentCount = [...models.values()].filter((m) => m.current).length;
  const retiredOnly = models.size - currentCount;

  // --- the model table ---------------------------------------------------------------------

  // label: the column heading; title: what it means in full (sort menu, phone cards).
  const COLUMNS = [
    { key: "id", label: "Model", title: "Model id", type: "text" },
    { key: "organization", label: "Org.", title: "Organization", type: "text" },
    { key: "listed", label: "Listed in", title: "Listed in", type: "text" },
    { key: "context", label: "Context", title: "Serverless context (tokens)", type: "number" },
    { key: "ft_context", label: "FT context", title: "Fine-tuning context, SFT (tokens)", type: "number" },
    { key: "price", label: "Price", title: "Price (USD)", type: "price" },
    { key: "function_calling", label: "Tools", title: "Function calling", type: "flag" },
    { key: "structured_outputs", label: "JSON", title: "Structured outputs", type: "flag" },
    { key: "modality", label: "Modality", title: "Modality", type: "text" },
  ].filter((c) => c.key === "id" || [...models.values()].some((m) => m[c.key] !== null && m[c.key] !== ""));

  const state = { key: "id", dir: "asc" };

  function sortValue(m, column) {
    const v = m[column.key];
    if (v === null || v === "") return null;
    if (column.type === "price") return [v.group === TOKENS ? 0 : 1, fold(v.group), v.value];
    if (column.type === "flag") return v ? 1 : 0;
    return v;
  }

  function order(x, y) {
    if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) {
        const o = order(x[i], y[i]);
        if (o) return o;
      }
      return 0;
    }
    if (typeof x === "number") return x - y;
    return fold(x) < fold(y) ? -1 : fold(x) > fold(y) ? 1 : 0;
  }

  function compare(a, b) {
    const column = COLUMNS.find((c) => c.key === state.key) || COLUMNS[0];
    const x = sortValue(a, column);
    const y = sortValue(b, column);
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1; // no value: last, either way
    } else {
      const o = order(x, y);
      if (o) return state.dir === "asc" ? o : -o;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  }

  function display(m, column) {
    const v = m[column.key];
    if (v === null || v === "") return el("span", { class: "none", text: "–", title: "not published" });
    if (column.type === "flag") return v ? "Yes" : "No";
    if (column.type === "price") {
      return el("span", {}, el("span", { class: "amount", text: v.amount }), el("span", { class: "unit", text: v.unit }));
    }
    if (column.type === "number") return Number(v).toLocaleString("en-US");
    return String(v);
  }

  function renderHead() {
    const row = el("tr");
    for (const column of COLUMNS) {
      const active = state.key === column.key;
      const sort = active ? (state.dir === "asc" ? "ascending" : "descending") : "none";
      const arrow = active ? (state.dir === "asc" ? "▲" : "▼") : "↕";
      row.append(
        el("th", { scope: "col", "aria-sort": sort, class: column.type === "text" ? null : "num", title: column.title },
          el("button", { type: "button", class: "sort", "data-key": column.key },
            column.label, el("span", { class: "arrow", "aria-hidden": "true", text: arrow })))
      );
    }
    $("model-table").tHead.replaceChildren(row);
  }

  function filters() {
    return {
      q: fold($("q").value.trim()),
      table: $("table-filter").value,
      modality: $("modality-filter").value,
      fc: $("cap-function-calling").checked,
      so: $("cap-structured-outputs").checked,
      retired: $("show-retired").checked,
    };
  }

  function matches(m, f) {
    if (!m.current && !f.retired) return false;
    if (f.q && !m.search.some((s) => s.includes(f.q))) return false;
    if (f.table && !m.tables.includes(f.table)) return false;
    if (f.modality && !m.modalities.some((v) => fold(v) === fold(f.modality))) return false;
    if (f.fc && m.function_calling !== true) return false;
    if (f.so && m.structured_outputs !== true) return false;
    return true;
  }

  function renderRows() {
    const f = filters();
    const shown = [...models.values()].filter((m) => matches(m, f)).sort(compare);
    const body = $("model-table").tBodies[0];
    body.replaceChildren(
      ...shown.map((m) =>
        el("tr", { "data-model": m.id, class: m.current ? null : "retired" },
          COLUMNS.map((column) => {
            if (column.key === "id") {
              return el("th", { scope: "row", "data-label": column.title },
                el("a", { href: modelHref(m.id), class: "model-link", text: m.id }),
                m.current ? null : el("span", { class: "badge", text: "retired" }),
                m.name !== null ? el("span", { class: "model-name", text: m.name }) : null);
            }
            return el("td", { "data-label": column.title, class: column.type === "text" ? null : "num" }, display(m, column));
          }))
      )
    );
    const total = f.retired ? models.size : currentCount;
    const what = f.retired ? "models (current and retired)" : "current models";
    $("model-status").textContent = `Showing ${shown.length} of ${total} ${what}.`;
  }

  let shownState = null;

  function render() {
    // Only when something changed: a blur's `change` event must not rebuild the rows under
    // the keyboard focus (tabbing from the search box into the list).
    const now = JSON.stringify([state, filters()]);
    if (now === shownState) return;
    shownState = now;
    renderHead();
    renderRows();
    $("sort-by").value = state.key;
    $("sort-dir").value = state.dir;
  }

  function setUpFilters() {
    for (const table of data.tables) {
      const kind = table.kind === "finetune" ? "Fine-tuning" : table.kind === "serverless" ? "Serverless" : "Serverless LoRA";
      $("table-filter").append(el("option", { value: table.id, text: `${kind}: ${table.section}` }));
    }
    const modalities = [...new Set([...models.values()].flatMap((m) => m.modalities))].sort((a, b) => (fold(a) < fold(b) ? -1 : 1));
    for (const m of modalities) $("modality-filter").append(el("option", { value: m, text: m }));
    if (!modalities.length) {
      $("modality-filter").disabled = true;
      $("modality-filter").options[0].textContent = "None published";
    }
    for (const field of ["function_calling", "structured_outputs"]) {
      const box = $(field === "function_calling" ? "cap-function-calling" : "cap-structured-outputs");
      if (![...models.values()].some((m) => m[field] !== null)) {
        box.disabled = true;
        box.parentElement.title = "No table publishes this column yet";
      }
    }
    if (!retiredOnly) {
      $("show-retired").disabled = true;
      $("show-retired").parentElement.title = "No model has left every table";
    }
    for (const column of COLUMNS) $("sort-by").append(el("option", { value: column.key, text: column.title }));
    const changed = (event) => {
      if (event.target.id === "sort-by") state.key = event.target.value;
      else if (event.target.id === "sort-dir") state.dir = event.target.value;
      render();
    };
    $("filters").addEventListener("input", changed);
    $("filters").addEventListener("change", changed);
    $("filters").addEventListener("submit", (event) => event.preventDefault());
    $("model-table").tHead.addEventListener("click", (event) => {
      const button = event.target.closest("button.sort");
      if (!button) return;
      const key = button.getAttribute("data-key");
      state.dir = state.key === key && state.dir === "asc" ? "desc" : "asc";
      state.key = key;
      render();
      $("model-table").tHead.querySelector(`button[data-key="${key}"]`).focus();
    });
  }

  // --- one model ---------------------------------------------------------------------------

  const IDENTITY = new Set(["model", "model_name", "organization"]);

  function formatValue(field, value) {
    const info = columnInfo.get(field) || { cell: "text", unit: null };
    if (value === null) return "–";
    if (info.cell === "flag") return value ? "Yes" : "No";
    if (info.cell === "price" || info.cell === "rate") return "$" + value;
    if (info.cell === "count") return Number(value).toLocaleString("en-US") + (info.unit ? " " + info.unit : "");
    return String(value);
  }

  function formatCell(table, row, field) {
    const value = cell(table, row, field);
    let text = value === null && row.na.includes(field) ? "N/A" : formatValue(field, value);
    if (row.footnotes.includes(field)) text += " *";
    return text;
  }

  function asOf(date, approximate) {
    // The date in bold; how an undated page's date was estimated, if it was, after it.
    return el("span", { class: "as-of-date" },
      el("strong", { text: date }),
      approximate ? el("span", { class: "approx", text: ` (approximate: ${approximate})` }) : null);
  }

  function factList(table, row) {
    const items = table.columns.filter((c) => !IDENTITY.has(c.field));
    const list = el("dl", { class: "facts" });
    for (const column of items) {
      const info = columnInfo.get(column.field);
      list.append(
        el("dt", { text: column.header, title: info ? info.doc : null }),
        el("dd", { text: formatCell(table, row, column.field) })
      );
    }
    const extras = [];
    if (row.footnotes.length) extras.push(el("p", { class: "hint", text: "* marked with a footnote on the docs page." }));
    if (row.note !== null) extras.push(el("p", { class: "note" }, el("strong", { text: "Note: " }), row.note));
    return [items.length ? list : el("p", { class: "hint", text: "This table publishes no values beyond the id and name." }), ...extras];
  }

  function tableHeading(table) {
    const kind = table.kind === "finetune" ? "fine-tuning" : table.kind === "serverless" ? `serverless ${table.category}` : "serverless LoRA bases";
    return `${table.section} (${kind})`;
  }

  function provenance(table, extra) {
    return el("p", { class: "meta" },
      "As of ", asOf(table.snapshot, table.approximate), " · source: ",
      sourceLink(table.url, `${table.page} / ${table.section}`), extra ? " · " + extra : null);
  }

  function fieldName(table, field) {
    const column = table ? table.columns.find((c) => c.field === field) : null;
    const info = columnInfo.get(field);
    return column ? column.header : info ? info.label : field;
  }

  // One table's changes to one model in one snapshot: a row first listed shows its first
  // values folded under "Added"; other changes one line each.
  function describeRun(tableId, changes) {
    const table = data.tables.find((t) => t.id === tableId);
    const where = table ? table.section : tableId;
    const items = [];
    let firstValues = null; // the list under the latest "Added", while its values follow
    for (const [kind, field, old, value] of changes) {
      if (kind === "changed") {
        const name = fieldName(table, field);
        if (firstValues !== null && old === null) {
          firstValues.append(el("li", { text: `${name}: ${formatValue(field, value)}` }));
        } else {
          items.push(el("li", { text: `${name} in ${where}: ${formatValue(field, old)} → ${formatValue(field, value)}` }));
        }
        continue;
      }
      firstValues = null;
      const text = kind === "added" ? `Added to ${where}` : kind === "retired" ? `No longer listed in ${where}` : `Listed again in ${where}`;
      const item = el("li", { text });
      if (kind === "added") {
        firstValues = el("ul");
        item.append(el("details", {}, el("summary", { text: "values as first published" }), firstValues));
      }
      items.push(item);
    }
    for (const list of items.map((i) => i.querySelector("details > ul"))) {
      if (list && !list.childElementCount) list.parentElement.remove();
    }
    return items;
  }

  function history(id) {
    if (!data.has_changelog) {
      return el("p", { class: "hint", text: "This build of the catalog carries no change history." });
    }
    const entries = [];
    for (const entry of data.changelog) {
      const runs = entry.rows.filter((run) => run[1] === id);
      if (runs.length) entries.push({ entry, runs });
    }
    if (!entries.length) return el("p", { class: "hint", text: "No recorded change since the catalog's history begins." });
    return el("ol", { class: "history" },
      entries.map(({ entry, runs }) =>
        el("li", {},
          el("p", { class: "meta" }, asOf(entry.snapshot, entry.approximate), " · ", sourceLink(entry.url, entry.page)),
          el("ul", {}, runs.map(([tableId, , changes]) => describeRun(tableId, changes))))));
  }

  function openModel(id, opener) {
    const m = models.get(id);
    if (!m) return false;
    $("model-title").textContent = m.id;
    const parts = [];
    const summary = [m.name !== null ? `Name: ${m.name}` : null, m.organization !== null ? `Organization: ${m.organization}` : null].filter(Boolean).join(" · ");
    parts.push(el("p", { class: "lede" }, summary, m.current ? null : el("span", { class: "badge", text: "retired" })));
    if (m.listings.length) {
      parts.push(el("h3", { text: `Listed in ${m.listings.length} ${m.listings.length === 1 ? "table" : "tables"}` }));
      for (const { table, row } of m.listings) {
        const notes = [];
        if (table.endpoint) notes.push(`endpoint: ${table.endpoint}`);
        if (table.recommended === m.id) notes.push(`the docs' recommended ${table.category} model`);
        parts.push(el("section", { class: "card", "data-table": table.id },
          el("h4", { text: tableHeading(table) }), provenance(table, notes.join(" · ")), factList(table, row)));
      }
    }
    if (m.retired.length) {
      parts.push(el("h3", { text: "No longer listed" }));
      for (const { table, row } of m.retired) {
        parts.push(el("section", { class: "card retired", "data-table": table.id },
          el("h4", { text: tableHeading(table) }),
          el("p", { class: "meta" }, "Last seen ", el("strong", { text: row.last_seen }), " · values as last published · source: ", sourceLink(table.url, table.page)),
          factList(table, row)));
      }
    }
    const waived = data.waivers.filter((w) => w.models.includes(m.id));
    if (waived.length) {
      parts.push(el("h3", { text: "Vendor contradictions kept as published" }));
      for (const w of waived) {
        parts.push(el("section", { class: "card waived" },
          el("h4", {}, el("code", { text: w.rule }), ` in ${w.table}`),
          w.title ? el("p", { text: w.title }) : null,
          el("p", {}, el("strong", { text: "Why it is kept: " }), w.reason)));
      }
    }
    parts.push(el("h3", { text: "Change history" }), history(m.id));
    if (checker.jobRow(m.id, null) || checker.jobRow(m.id, false)) {
      parts.push(el("p", {}, el("button", { type: "button", class: "primary", id: "check-this", "data-model": m.id, text: "Check a fine-tuning job with this model" })));
    }
    $("model-detail").replaceChildren(...parts);
    const dialog = $("model-dialog");
    dialog.opener = opener || document.activeElement;
    if (!dialog.open) dialog.showModal();
    $("model-close").focus();
    return true;
  }

  function clearHash() {
    if (!location.hash.startsWith("#model=")) return;
    try {
      history.replaceState(null, "", location.pathname + location.search);
    } catch (err) {
      location.hash = "";
    }
  }

  function fromHash() {
    if (!location.hash.startsWith("#model=")) return;
    let id;
    try {
      id = decodeURIComponent(location.hash.slice("#model=".length));
    } catch (err) {
      return;
    }
    if (!openModel(id)) $("model-status").textContent = `No model ${id} in this catalog.`;
  }

  function setUpDialog() {
    const dialog = $("model-dialog");
    $("model-close").addEventListener("click", () => dialog.close());
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close(); // a click on the backdrop
    });
    dialog.addEventListener("close", () => {
      clearHash();
      const back = dialog.opener;
      if (back && document.contains(back)) back.focus();
    });
    $("model-detail").addEventListener("click", (event) => {
      const button = event.target.closest("#check-this");
      if (!button) return;
      const id = button.getAttribute("data-model");
      dialog.close();
      $("job-model").value = id;
      $("job-lora").value = checker.jobRow(id, null) ? "" : "full";
      showRow();
      $("checker").scrollIntoView();
      $("job-model").focus();
    });
    window.addEventListener("hashchange", fromHash);
  }

  // --- the job checker ---------------------------------------------------------------------

  function numberish(text) {
    // A number typed is passed as a number, anything else as the text typed, which the
    // checker then reports as not a whole number (as Python would for a str).
    const t = text.trim();
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
    return t;
  }

  function jobRequest() {
    const request = {};
    const model = $("job-model").value.trim();
    request.model = model === "" ? null : model;
    const checkpoint = $("job-checkpoint").value.trim();
    if (checkpoint !== "") request.from_checkpoint = checkpoint;
    const lora = $("job-lora").value;
    if (lora) request.lora = lora === "lora";
    request.training_method = $("job-method").value;
    for (const [id, key] of [["job-batch", "batch_size"], ["job-length", "max_seq_length"], ["job-rank", "lora_r"], ["job-steps", "gradient_accumulation_steps"]]) {
      const text = $(id).value.trim();
      if (text !== "") request[key] = key === "batch_size" && text === "max" ? "max" : numberish(text);
    }
    request.train_vision = $("job-vision").checked;
    return request;
  }

  function showRow() {
    const model = $("job-model").value.trim();
    const lora = $("job-lora").value;
    const row = checker.jobRow(model, lora === "full" ? false : null);
    const hint = $("job-row");
    if (!row) {
      hint.textContent = "";
      return;
    }
    const table = checker.tableOf(row.method);
    const span = (lo, hi) => (lo === hi ? `${lo}` : `${lo}–${hi}`);
    const text = `${checker.methodWord(row.method)} limits (${table}): batch size ${span(row.min_batch_size, row.max_batch_size_sft)} SFT, ${span(row.min_batch_size, row.max_batch_size_dpo)} DPO; max sequence length ${row.context_length_sft} SFT, ${row.context_length_dpo} DPO` + (row.max_lora_rank !== null ? `; LoRA rank up to ${row.max_lora_rank}` : "") + ".";
    hint.textContent = text;
  }

  function showResult(request, found) {
    const out = $("job-result");
    if (!found.length) {
      const what = request.model !== null ? request.model : `checkpoint ${request.from_checkpoint}`;
      out.replaceChildren(el("p", { class: "ok" }, el("strong", { text: "No violations. " }), `The job on ${what} is within every published limit.`));
      return;
    }
    const word = found.length === 1 ? "violation" : "violations";
    out.replaceChildren(
      el("p", { class: "bad" }, el("strong", { text: `${found.length} ${word}` }), ", in the validator's order:"),
      el("ol", { class: "violations" },
        found.map((v) =>
          el("li", { "data-code": v.code },
            el("p", {}, el("code", { class: "code", text: v.code }), " ", v.message),
            v.suggestion ? el("p", { class: "suggestion" }, el("strong", { text: "Suggestion: " }), v.suggestion) : null,
            el("p", { class: "meta" }, `field ${v.field}`,
              v.limit !== null ? ` · limit ${Array.isArray(v.limit) ? v.limit.join(", ") : v.limit}` : "",
              v.table !== null ? ` · table ${v.table}` : ""))))
    );
  }

  function setUpChecker() {
    const contact = data.notes.contact_only.map((c) => `${c.family} (ids starting with ${c.prefixes.join(" or ")})`);
    if (contact.length) {
      $("job-notes").textContent = `Fine-tuned only by arrangement with Together's sales team, not through the API: ${contact.join("; ")}.`;
    }
    const list = $("job-models");
    for (const id of checker.fineTunable) list.append(el("option", { value: id }));
    const form = $("job-form");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const request = jobRequest();
      showResult(request, checker.check(request));
    });
    form.addEventListener("reset", () => {
      $("job-result").replaceChildren();
      setTimeout(showRow, 0);
    });
    $("job-model").addEventListener("input", showRow);
    $("job-lora").addEventListener("input", showRow);
  }

  // --- contradictions and sources ----------------------------------------------------------

  function renderWaivers() {
    const box = $("waiver-list");
    if (!data.waivers.length) {
      box.replaceChildren(el("p", { text: "None: every row keeps every rule." }));
      return;
    }
    box.replaceChildren(
      ...data.waivers.map((w) => {
        const table = data.tables.find((t) => t.id === w.table);
        return el("article", { class: "card waiver" },
          el("h3", {}, el("code", { text: w.rule })),
          w.title ? el("p", { text: w.title }) : null,
          el("p", { class: "meta" }, `Table: ${table ? table.section : w.table}`, w.source ? ` · rule from ${w.source}` : ""),
          el("p", {}, el("strong", { text: "Why it is kept: " }), w.reason),
          el("p", { class: "models" }, el("strong", { text: `${w.models.length} ${w.models.length === 1 ? "model" : "models"}: ` }),
            w.models.map((id, i) => [i ? ", " : "", models.has(id) ? el("a", { href: modelHref(id), class: "model-link", text: id }) : id])));
      })
    );
  }

  function renderSources() {
    $("source-table").tBodies[0].replaceChildren(
      ...data.tables.map((t) =>
        el("tr", {},
          el("td", {}, el("code", { text: t.id })),
          el("td", { text: t.section }),
          el("td", {}, sourceLink(t.url, t.page)),
          el("td", {}, asOf(t.snapshot, t.approximate)),
          el("td", { class: "num", text: `${t.rows.length}` + (t.retired.length ? ` (+${t.retired.length} retired)` : "") })))
    );
  }

  setUpFilters();
  setUpDialog();
  setUpChecker();
  render();
  renderWaivers();
  renderSources();
  fromHash();

  api.checkFinetuneRequest = checker.check;
  api.currentModelCount = currentCount;
  api.openModel = (id) => openModel(id);
  api.ready = true;
})();
