// The fine-tuning job checker of the catalog browser: the Python validator
// (codegen/runtime/validate.py, _checks.py, _limits.py, the id suggestions of errors.py's
// closest_ids, and retired.py's retirement for retired-model) written again in plain JavaScript, check for check and in the
// same order, driven by data generated from the same catalog and constants (codegen/site.py).
// tests/site/ holds the two to the same violations on generated requests; change them
// together.
//
// A request is an object with the keyword arguments of check_finetune_request (and of the
// together SDK's client.fine_tuning.create): model, lora, training_method, batch_size,
// max_seq_length, from_checkpoint, lora_r, gradient_accumulation_steps, train_vision. A key
// left out (or undefined) takes the Python default; null is Python's None. JavaScript has one
// number type, so 8 and 8.0 are the same whole number here, as they are to the validator.
(function (global) {
  "use strict";

  const hasOwn = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);

  // --- Python's spelling of values, for the messages -------------------------------------

  const NOT_PRINTABLE = /[\p{C}\p{Z}]/u; // str.isprintable: not Other, not Separator

  function hex(cp, width) {
    return cp.toString(16).padStart(width, "0");
  }

  function reprString(text) {
    const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
    let out = quote;
    for (const ch of text) {
      const cp = ch.codePointAt(0);
      if (ch === quote || ch === "\\") out += "\\" + ch;
      else if (ch === "\t") out += "\\t";
      else if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (cp < 0x20 || cp === 0x7f) out += "\\x" + hex(cp, 2);
      else if (cp < 0x7f || !NOT_PRINTABLE.test(ch)) out += ch;
      else if (cp <= 0xff) out += "\\x" + hex(cp, 2);
      else if (cp <= 0xffff) out += "\\u" + hex(cp, 4);
      else out += "\\U" + hex(cp, 8);
    }
    return out + quote;
  }

  function reprFloat(x) {
    if (Number.isNaN(x)) return "nan";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    // Shortest round-trip digits, laid out as float.__repr__ does: positional while the
    // decimal point falls within (-4, 16] digits of the first one, else scientific.
    const [mantissa, exponent] = x.toExponential().split("e");
    const sign = mantissa.startsWith("-") ? "-" : "";
    const digits = mantissa.replace("-", "").replace(".", "");
    const point = Number(exponent) + 1;
    if (point > -4 && point <= 16) {
      if (point <= 0) return sign + "0." + "0".repeat(-point) + digits;
      if (point >= digits.length) return sign + digits + "0".repeat(point - digits.length) + ".0";
      return sign + digits.slice(0, point) + "." + digits.slice(point);
    }
    const e = point - 1;
    const lead = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
    return sign + lead + "e" + (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0");
  }

  function intText(x) {
    return BigInt(x).toString(); // a whole number's digits, however large
  }

  /** repr() of the Python value a JSON-like value stands for. */
  function pyRepr(value) {
    if (value === null || value === undefined) return "None";
    if (value === true) return "True";
    if (value === false) return "False";
    if (typeof value === "number") return Number.isInteger(value) ? intText(value) : reprFloat(value);
    if (typeof value === "string") return reprString(value);
    if (Array.isArray(value)) return "[" + value.map(pyRepr).join(", ") + "]";
    if (typeof value === "object") {
      const items = Object.keys(value).map((k) => reprString(k) + ": " + pyRepr(value[k]));
      return "{" + items.join(", ") + "}";
    }
    return String(value);
  }

  // --- str.casefold, code point by code point ---------------------------------------------

  function foldChar(ch) {
    const cp = ch.codePointAt(0);
    if (cp < 0x80) return cp >= 0x41 && cp <= 0x5a ? String.fromCharCode(cp + 32) : ch;
    if (cp === 0x131) return ch; // dotless i folds to itself
    if (cp === 0x1e9e) return "ss"; // capital sharp s: lowercases to ß, folds to ss
    // Cherokee folds to its capital letters, the one script that folds upward.
    if ((cp >= 0x13a0 && cp <= 0x13fd) || (cp >= 0xab70 && cp <= 0xabbf)) return ch.toUpperCase();
    return ch.toUpperCase().toLowerCase(); // full folding: sharp s -> ss, final sigma -> sigma
  }

  function casefold(text) {
    let out = "";
    for (const ch of text) out += foldChar(ch);
    return out;
  }

  const afterSlash = (text) => text.slice(text.lastIndexOf("/") + 1); // rpartition("/")[2]
  const unique = (items) => [...new Set(items)];

  // --- difflib.get_close_matches, as CPython computes it ------------------------------------

  function compareCodePoints(a, b) {
    const x = Array.from(a, (c) => c.codePointAt(0));
    const y = Array.from(b, (c) => c.codePointAt(0));
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  }

  function matcherFor(word) {
    const b = Array.from(word, (c) => c.codePointAt(0));
    const b2j = new Map();
    b.forEach((elt, j) => {
      if (!b2j.has(elt)) b2j.set(elt, []);
      b2j.get(elt).push(j);
    });
    if (b.length >= 200) {
      // autojunk: drop elements more popular than 1% (they still extend matches)
      const ntest = Math.floor(b.length / 100) + 1;
      for (const [elt, idxs] of [...b2j]) if (idxs.length > ntest) b2j.delete(elt);
    }
    const fullbcount = new Map();
    for (const elt of b) fullbcount.set(elt, (fullbcount.get(elt) || 0) + 1);

    function longest(a, alo, ahi, blo, bhi) {
      let besti = alo;
      let bestj = blo;
      let bestsize = 0;
      let j2len = new Map();
      for (let i = alo; i < ahi; i++) {
        const next = new Map();
        for (const j of b2j.get(a[i]) || []) {
          if (j < blo) continue;
          if (j >= bhi) break;
          const k = (j2len.get(j - 1) || 0) + 1;
          next.set(j, k);
          if (k > bestsize) {
            besti = i - k + 1;
            bestj = j - k + 1;
            bestsize = k;
          }
        }
        j2len = next;
      }
      while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) {
        besti--;
        bestj--;
        bestsize++;
      }
      while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] === b[bestj + bestsize]) {
        bestsize++;
      }
      return [besti, bestj, bestsize];
    }

    function matches(a) {
      let total = 0;
      const queue = [[0, a.length, 0, b.length]];
      while (queue.length) {
        const [alo, ahi, blo, bhi] = queue.pop();
        const [i, j, k] = longest(a, alo, ahi, blo, bhi);
        if (k) {
          total += k;
          if (alo < i && blo < j) queue.push([alo, i, blo, j]);
          if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
        }
      }
      return total;
    }

    const ratio = (m, length) => (length ? (2.0 * m) / length : 1.0);

    return function score(candidate, cutoff) {
      const a = Array.from(candidate, (c) => c.codePointAt(0));
      const length = a.length + b.length;
      if (ratio(Math.min(a.length, b.length), length) < cutoff) return null;
      const avail = new Map();
      let quick = 0;
      for (const elt of a) {
        const numb = avail.has(elt) ? avail.get(elt) : fullbcount.get(elt) || 0;
        avail.set(elt, numb - 1);
        if (numb > 0) quick++;
      }
      if (ratio(quick, length) < cutoff) return null;
      const full = ratio(matches(a), length);
      return full >= cutoff ? full : null;
    };
  }

  function getCloseMatches(word, possibilities, n, cutoff) {
    const score = matcherFor(word);
    const found = [];
    for (const x of possibilities) {
      const s = score(x, cutoff);
      if (s !== null) found.push([s, x]);
    }
    found.sort((p, q) => q[0] - p[0] || compareCodePoints(q[1], p[1]));
    return found.slice(0, n).map((p) => p[1]);
  }

  // --- the checker -------------------------------------------------------------------------

  function createChecker(spec) {
    const CODES = spec.codes;
    const TRAINING_METHODS = spec.training_methods;
    const VISION = spec.vision_suffix;
    const METHOD_WORD = new Map(spec.method_words);
    const WHOLE = new Map(spec.whole.map(([field, ...rest]) => [field, rest]));
    const TABLE_OF_METHOD = new Map(spec.table_of_method);
    const byMethod = new Map(spec.rows.map(([method, rows]) => [method, new Map(rows.map((r) => [r.model, r]))]));
    const LORA = byMethod.get("lora") || new Map();
    const FULL = byMethod.get("full") || new Map();
    const LONG = byMethod.get("lora_long_context") || new Map();
    // The row a LoRA job is held to: the LoRA table, or the long-context one for a model
    // listed only there (lookup.LORA_JOB).
    const LORA_JOB = new Map([...[...LONG].filter(([m]) => !LORA.has(m)), ...LORA]);
    const FINE_TUNABLE = unique([...LORA.keys(), ...FULL.keys(), ...LONG.keys()]);
    const METHOD_TITLE = new Map(spec.method_titles);
    // Table id -> retired id -> [model, last_seen, successor] (retired._tables: the last
    // row of an id wins, as in a dict).
    const RETIRED = new Map(spec.retired.map(([table, rows]) => [table, new Map(rows.map((r) => [r[0], r]))]));

    const tableOf = (method) => TABLE_OF_METHOD.get(method);
    const listed = (model) => LORA_JOB.has(model) || FULL.has(model);
    // _checks._in_job_table: whether the table a job with this lora flag uses lists model.
    function inJobTable(model, lora) {
      if (lora === false) return FULL.has(model);
      if (lora === null || lora === true) return LORA_JOB.has(model);
      return listed(model);
    }
    // lookup.job_tables: False the Full table, None/True LoRA then long-context, else all.
    function jobTables(lora) {
      const methods = lora === false ? ["full"] : lora === null || lora === true ? ["lora", "lora_long_context"] : spec.finetune_methods;
      return methods.map(tableOf).filter((t) => t !== undefined);
    }
    // lookup.table_title, for the fine-tuning tables.
    const tableTitle = (table) => `the ${METHOD_TITLE.get([...TABLE_OF_METHOD].find(([, t]) => t === table)[0])} table (${table})`;
    const isInt = (v) => typeof v === "number" && Number.isInteger(v); // _checks.is_int
    const violation = (code, field, message, limit, table, suggestion) => ({
      code,
      field,
      message,
      limit: limit === undefined ? null : limit,
      table: table === undefined ? null : table,
      suggestion: suggestion === undefined ? null : suggestion,
    });

    function servingStem(model) {
      const folded = casefold(model);
      for (const suffix of spec.serving_suffixes) {
        if (folded.endsWith(suffix)) return folded.slice(0, folded.length - suffix.length);
      }
      return folded;
    }

    function closestIds(model, candidates, n = 3) {
      const pool = unique(candidates);
      const folded = casefold(model);
      const name = afterSlash(folded);
      const found = pool.filter((c) => casefold(c) === folded);
      found.push(...pool.filter((c) => afterSlash(casefold(c)) === name && !found.includes(c)));
      if (found.length) return found.slice(0, n);
      const stem = servingStem(model);
      const bare = afterSlash(stem);
      const twins = pool.filter((c) => servingStem(c) === stem);
      twins.push(...pool.filter((c) => afterSlash(servingStem(c)) === bare && !twins.includes(c)));
      const byFold = new Map();
      for (const c of pool) if (!byFold.has(casefold(c))) byFold.set(casefold(c), c);
      const close = getCloseMatches(folded, [...byFold.keys()], n, 0.6);
      return unique([...twins, ...close.map((m) => byFold.get(m))]).slice(0, n);
    }

    function contactOnlyPrefix(model) {
      const folded = casefold(model);
      const name = afterSlash(folded);
      for (const prefix of spec.contact_prefixes) {
        const family = casefold(prefix);
        if (folded.startsWith(family) || name.startsWith(afterSlash(family))) return prefix;
      }
      return null;
    }

    // _limits: a request against one published row.

    function familyKey(model) {
      const kept = model.split("-").filter((p) => !(p.length > 1 && /[kK]$/.test(p) && /^[0-9]+$/.test(p.slice(0, -1))));
      return kept.join("-");
    }

    let families = null;
    function family(model) {
      if (families === null) {
        const grouped = new Map();
        for (const rows of [LORA, LONG]) {
          for (const [other, row] of rows) {
            const key = familyKey(other);
            if (!grouped.has(key)) grouped.set(key, []);
            grouped.get(key).push(row);
          }
        }
        const byId = new Map();
        for (const m of unique([...LORA.keys(), ...LONG.keys(), ...FULL.keys()])) {
          byId.set(m, grouped.get(familyKey(m)) || []);
        }
        families = [grouped, byId];
      }
      const [byKey, byId] = families;
      return byId.has(model) ? byId.get(model) : byKey.get(familyKey(model)) || [];
    }

    function longerContext(model, method, length, loraJob) {
      const sft = method === "sft";
      let best = null;
      let bestKey = [1, 0];
      for (const row of family(model)) {
        const same = row.model === model;
        if (loraJob && same) continue;
        const fits = sft ? row.context_length_sft : row.context_length_dpo;
        if (fits < length) continue;
        const key = [same ? 0 : 1, fits];
        if (best === null || key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
          best = row;
          bestKey = key;
        }
      }
      return best === null ? null : best.model;
    }

    function checkBatch(row, method, size, out) {
      const upper = method === "sft" ? row.max_batch_size_sft : row.max_batch_size_dpo;
      const lower = row.min_batch_size;
      if (lower <= size && size <= upper) return;
      const table = tableOf(row.method);
      const where = `${METHOD_WORD.get(row.method)} on ${row.model}`;
      const M = method.toUpperCase();
      let hint;
      if (lower > upper) {
        hint = `the published limits leave no whole batch size (min ${lower} > max ${upper} for ${M}); use batch_size='max'`;
      } else if (lower === upper) {
        hint = `use batch_size=${lower} or 'max'`;
      } else {
        hint = `use a batch_size from ${lower} to ${upper}, or 'max'`;
      }
      const n = intText(size);
      if (size < lower) {
        out.push(violation("batch-size-too-small", "batch_size", `batch_size ${n} is below the min batch size ${lower} for ${where}`, lower, table, `min batch for ${where} is ${lower}; ${hint}`));
      }
      if (size > upper) {
        out.push(violation("batch-size-too-large", "batch_size", `batch_size ${n} exceeds the max ${M} batch size ${upper} for ${where}`, upper, table, `max ${M} batch for ${where} is ${upper}; ${hint}`));
      }
    }

    function checkLength(row, method, length, out) {
      const upper = method === "sft" ? row.context_length_sft : row.context_length_dpo;
      if (length <= upper) return;
      const word = METHOD_WORD.get(row.method);
      const alternative = longerContext(row.model, method, length, row.method !== "full");
      const suggestion = alternative !== null
        ? `long context on ${word}: use ${alternative} with LoRA (or max_seq_length at most ${upper})`
        : `use max_seq_length at most ${upper}`;
      out.push(violation("max-seq-length-too-large", "max_seq_length", `max_seq_length ${intText(length)} exceeds the ${method.toUpperCase()} context length ${upper} for ${word} on ${row.model}`, upper, tableOf(row.method), suggestion));
    }

    function checkRank(row, rank, out) {
      const upper = row.max_lora_rank;
      if (upper === null || upper === undefined || rank <= upper) return;
      const where = `${METHOD_WORD.get(row.method)} on ${row.model}`;
      out.push(violation("lora-rank-too-large", "lora_r", `lora_r ${intText(rank)} exceeds the max LoRA rank ${upper} for ${where}`, upper, tableOf(row.method), `use lora_r at most ${upper}, or None for the model's default rank`));
    }

    // _checks: the request's arguments, in CODES order.

    function modelAndCheckpoint() {
      return violation("model-and-checkpoint", "from_checkpoint", "both a model and a from_checkpoint were given; a job starts from one of them", null, null, "drop from_checkpoint to start from the model, or drop the model to continue the checkpoint's job (its model comes with it)");
    }

    // retired.retirement: the most recently seen retirement from one of tables (the first
    // of them on a tie), or null.
    function retirement(model, tables) {
      let found = null;
      for (const table of tables) {
        const rows = RETIRED.get(table);
        const row = rows ? rows.get(model) : undefined;
        if (row !== undefined && (found === null || row[1] > found.last_seen)) {
          found = { table, last_seen: row[1], successor: row[2] };
        }
      }
      return found;
    }

    // _checks._retired: retired-model, when the table the job would use retired model.
    function retired(model, lora) {
      const found = retirement(model, jobTables(lora));
      if (found === null) return null;
      const options = found.successor ? [`use its successor ${found.successor}`] : [];
      if (LORA_JOB.has(model) && lora === false) options.push("fine-tune it with LoRA (lora=True), which still lists it");
      else if (FULL.has(model) && lora !== false) options.push("fine-tune it in full (lora=False), which still lists it");
      return violation("retired-model", "model", `${model} was retired from ${tableTitle(found.table)}: it left Together's docs after ${found.last_seen}, the as-of date of the last snapshot that listed it`, null, found.table, options.join(", or ") || "pick a current model from fine_tunable_models()");
    }

    function checkModel(model, lora, checkpoint, out) {
      if (model === null && checkpoint !== null) return false;
      if (typeof model !== "string") {
        const given = model === null ? "no model (and no from_checkpoint)" : `model ${pyRepr(model)}`;
        out.push(violation("unknown-model", "model", `${given} is not a model id string`, null, null, "pass a model id such as those in fine_tunable_models(), or from_checkpoint to continue a job"));
        return false;
      }
      if (inJobTable(model, lora)) return true;
      const gone = retired(model, lora);
      if (gone !== null) {
        out.push(gone);
        return false;
      }
      if (listed(model)) return true; // listed for the other method: rowFor says so
      const prefix = contactOnlyPrefix(model);
      if (prefix !== null) {
        out.push(violation("contact-only", "model", `${model} is fine-tuned only by arrangement with Together (models starting with ${pyRepr(prefix)}), not through the API`, null, null, "contact Together's sales team, or pick a model from fine_tunable_models()"));
        return false;
      }
      const near = closestIds(model, FINE_TUNABLE);
      out.push(violation("unknown-model", "model", `${pyRepr(model)} is not in any fine-tuning table`, null, null, near.length ? "did you mean " + near.join(" or ") + "?" : "see fine_tunable_models() for the ids that can be fine-tuned"));
      return false;
    }

    function rowFor(model, lora, checkpoint, out) {
      const isListed = checkModel(model, lora, checkpoint, out);
      if (model !== null && checkpoint !== null) out.push(modelAndCheckpoint());
      if (lora !== null && typeof lora !== "boolean") {
        out.push(violation("invalid-lora-type", "lora", `lora ${pyRepr(lora)} is not True, False or None`, null, null, "pass True or None for LoRA, False for full fine-tuning"));
        return null;
      }
      if (!isListed || typeof model !== "string") return null;
      if (lora === false) {
        if (FULL.has(model)) return FULL.get(model);
        out.push(violation("not-fine-tunable-with-method", "lora", `${model} is not offered for full fine-tuning (it is LoRA-only)`, null, tableOf("full"), "fine-tune it with LoRA (lora=True)"));
        return null;
      }
      if (LORA_JOB.has(model)) return LORA_JOB.get(model);
      out.push(violation("not-fine-tunable-with-method", "lora", `${model} is not offered for LoRA fine-tuning (full fine-tuning only)`, null, tableOf("lora"), "fine-tune it in full (lora=False)"));
      return null;
    }

    function whole(field, value, out) {
      const [typeCode, smallCode, low, hint] = WHOLE.get(field);
      if (!isInt(value)) {
        out.push(violation(typeCode, field, `${field} ${pyRepr(value)} is neither an int nor None`, null, null, hint));
        return null;
      }
      if (value < low) out.push(violation(smallCode, field, `${field} ${intText(value)} is below ${low}`, low, null, hint));
      return value;
    }

    /** Every violation of the published limits by `request`, in CODES order; [] when valid. */
    function checkFinetuneRequest(request) {
      const req = request || {};
      const arg = (key, fallback) => (hasOwn(req, key) && req[key] !== undefined ? req[key] : fallback);
      const model = arg("model", null);
      const lora = arg("lora", null);
      const method = arg("training_method", "sft");
      const batch = arg("batch_size", "max");
      const length = arg("max_seq_length", null);
      const checkpoint = arg("from_checkpoint", null);
      const rank = arg("lora_r", null);
      const steps = arg("gradient_accumulation_steps", null);
      const vision = arg("train_vision", false);

      const out = [];
      const row = rowFor(model, lora, checkpoint, out);
      const methodOk = typeof method === "string" && TRAINING_METHODS.includes(method);
      if (!methodOk) {
        out.push(violation("invalid-training-method", "training_method", `training_method ${pyRepr(method)} is not one of ${TRAINING_METHODS.map(pyRepr).join(", ")}`, TRAINING_METHODS.slice(), null, 'use "sft" (supervised) or "dpo" (preference)'));
      }
      const check = methodOk ? row : null;

      if (!(typeof batch === "string" ? batch === "max" : isInt(batch))) {
        out.push(violation("invalid-batch-size-type", "batch_size", `batch_size ${pyRepr(batch)} is neither an int nor 'max'`, null, null, "pass a whole number of examples or 'max'"));
      } else if (check !== null && typeof batch === "number") {
        checkBatch(check, method, batch, out);
      }

      if (length !== null) {
        const n = whole("max_seq_length", length, out);
        if (n !== null && n >= 1 && check !== null) checkLength(check, method, n, out);
      }
      if (rank !== null) {
        const r = whole("lora_r", rank, out);
        if (r !== null && r >= 1 && row !== null && lora !== false) checkRank(row, r, out);
      }
      if (steps !== null) whole("gradient_accumulation_steps", steps, out);

      if (typeof vision !== "boolean") {
        out.push(violation("invalid-train-vision-type", "train_vision", `train_vision ${pyRepr(vision)} is neither True nor False`, null, null, "pass True to train the vision encoder too, else False"));
      } else if (vision && typeof model === "string" && listed(model) && !model.endsWith(VISION)) {
        out.push(violation("vision-not-supported", "train_vision", `${model} is not a vision-language model (its id does not end in ${pyRepr(VISION)}), so it has no vision encoder to train`, null, null, `pass train_vision=False, or pick a *${VISION} model`));
      }

      if (checkpoint !== null && typeof checkpoint !== "string") {
        out.push(violation("invalid-from-checkpoint-type", "from_checkpoint", `from_checkpoint ${pyRepr(checkpoint)} is neither a string nor None`, null, null, "pass a job id or checkpoint name as a string"));
      }
      return out;
    }

    /** The published row a job on `model` is held to (lora: null/true LoRA, false full). */
    function jobRow(model, lora) {
      const rows = lora === false ? FULL : LORA_JOB;
      return rows.has(model) ? rows.get(model) : null;
    }

    return {
      check: checkFinetuneRequest,
      codes: CODES.slice(),
      fineTunable: FINE_TUNABLE.slice(),
      jobRow,
      tableOf,
      methodWord: (method) => METHOD_WORD.get(method),
    };
  }

  const api = global.togetherCatalog || (global.togetherCatalog = {});
  api.createChecker = createChecker;
  api.pyRepr = pyRepr;
  api.casefold = casefold;
})(window);
