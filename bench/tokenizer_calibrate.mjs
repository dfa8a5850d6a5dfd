// Fits the weights of reagent's per-script token estimator (tokenizer/src/script_estimator.cc)
// and reports its error. Target: the larger of the o200k_base and cl100k_base counts (npm
// tiktoken), so the estimate leans to the more expensive tokenizer. Fitted on generated
// texts (seed 1), evaluated on tokenizer/testdata/fixtures.jsonl (a different corpus).
//
//   node bench/tokenizer_calibrate.mjs <dir holding node_modules> [fixtures.jsonl]
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CODE, EMOJI, ENGLISH, OTHER_SCRIPTS, VIETNAMESE, pick, seeded } from "./tokenizer_corpus.mjs";

const [packageDir, fixtures = "tokenizer/testdata/fixtures.jsonl"] = process.argv.slice(2);
const require = createRequire(resolve(packageDir, "index.js"));
const { get_encoding } = require("tiktoken");
const o200k = get_encoding("o200k_base");
const cl100k = get_encoding("cl100k_base");
const target = (text) => Math.max(o200k.encode_ordinary(text).length, cl100k.encode_ordinary(text).length);

const NAMES = ["ascii_letter", "ascii_digit", "ascii_punct", "ascii_space", "ascii_word", "latin_ext", "mark",
  "alphabetic", "brahmic", "cjk", "hangul", "symbol", "other"];
function classOf(cp) {
  if ((cp >= 0xc0 && cp <= 0x24f) || (cp >= 0x1e00 && cp <= 0x1eff)) return 5;
  if (cp >= 0x300 && cp <= 0x36f) return 6;
  if (cp >= 0x370 && cp <= 0x6ff) return 7;
  if (cp >= 0x900 && cp <= 0x109f) return 8;
  if ((cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0x3130 && cp <= 0x318f) || (cp >= 0xac00 && cp <= 0xd7af)) return 10;
  if ((cp >= 0x2e80 && cp <= 0x9fff) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xff00 && cp <= 0xffef) ||
      (cp >= 0x20000 && cp <= 0x3ffff)) return 9;
  if ((cp >= 0x2000 && cp <= 0x2bff) || (cp >= 0x1f000 && cp <= 0x1faff) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 11;
  return 12;
}
function features(text) {
  const f = new Array(NAMES.length).fill(0);
  let inWord = false;
  for (const ch of text) {
    const cp = ch.codePointAt(0);
    if (cp < 0x80) {
      const letter = /[A-Za-z]/.test(ch);
      if (letter) { f[0]++; if (!inWord) f[4]++; }
      else if (/[0-9]/.test(ch)) f[1]++;
      else if (cp === 32 || (cp >= 9 && cp <= 13)) f[3]++;
      else f[2]++;
      inWord = letter;
      continue;
    }
    inWord = false;
    f[classOf(cp)]++;
  }
  return f;
}

// Training texts: a spread of scripts and lengths.
const rng = seeded(1);
const training = [];
const sources = [ENGLISH, VIETNAMESE, CODE, OTHER_SCRIPTS, EMOJI];
for (let i = 0; i < 1500; i++) {
  const list = pick(rng, sources);
  let text = Array.from({ length: 1 + Math.floor(rng() * 8) }, () => pick(rng, list)).join(" ");
  if (list === VIETNAMESE && rng() < 0.3) text = text.normalize("NFD");
  if (rng() < 0.2) text += " " + pick(rng, pick(rng, sources));
  training.push(text);
}

// Weighted least squares on relative error: minimise sum(((w.f - y) / y)^2).
const k = NAMES.length;
const A = Array.from({ length: k }, () => new Array(k).fill(0));
const b = new Array(k).fill(0);
for (const text of training) {
  const f = features(text), y = target(text);
  if (y === 0) continue;
  const weight = 1 / (y * y);
  for (let i = 0; i < k; i++) {
    b[i] += weight * f[i] * y;
    for (let j = 0; j < k; j++) A[i][j] += weight * f[i] * f[j];
  }
}
for (let i = 0; i < k; i++) A[i][i] += 1e-6;  // ridge: classes absent from training get ~0
// Gaussian elimination.
for (let c = 0; c < k; c++) {
  let p = c;
  for (let r = c + 1; r < k; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
  [A[c], A[p]] = [A[p], A[c]];
  [b[c], b[p]] = [b[p], b[c]];
  for (let r = 0; r < k; r++) {
    if (r === c) continue;
    const m = A[r][c] / A[c][c];
    for (let j = c; j < k; j++) A[r][j] -= m * A[c][j];
    b[r] -= m * b[c];
  }
}
const w = b.map((v, i) => v / A[i][i]);
// Classes the training set lacks get a conservative one token per character.
const seen = new Array(k).fill(false);
for (const text of training) features(text).forEach((v, i) => { if (v > 0) seen[i] = true; });
for (let i = 0; i < k; i++) if (!seen[i]) w[i] = 1;
console.log("weights:");
NAMES.forEach((n, i) => console.log(`  ${n.padEnd(13)} ${w[i].toFixed(4)}`));
console.log(`C++: {${w.map((v) => v.toFixed(4)).join(", ")}, 1.0}`);

// Evaluation on the fixture corpus (held out from the fit).
const estimate = (text) => { const s = features(text).reduce((a, v, i) => a + v * w[i], 0); return text.length ? Math.max(1, Math.round(s)) : 0; };
const rows = readFileSync(fixtures, "utf8").trim().split("\n").map((l) => JSON.parse(l));
const byKind = {};
let sumEst = 0, sumTrue = 0, worst = 0, worstText = "";
for (const row of rows) {
  const y = Math.max(row.o200k_base.length, row.cl100k_base.length);
  const e = estimate(row.text);
  const kind = row.id.replace(/-\d+$/, "");
  byKind[kind] ??= { est: 0, truth: 0, n: 0, maxRel: 0, charsOver4: 0 };
  const s = byKind[kind];
  s.est += e; s.truth += y; s.n++; s.charsOver4 += [...row.text].length / 4;
  if (y >= 20) {
    const rel = Math.abs(e - y) / y;
    if (rel > s.maxRel) s.maxRel = rel;
    if (rel > worst) { worst = rel; worstText = row.id; }
  }
  sumEst += e; sumTrue += y;
}
console.log("\nheld-out fixtures (target = max(o200k, cl100k) tokens):");
console.log("kind              texts  target  estimate  total-err  max-err(>=20 tok)  chars/4-err");
for (const [kind, s] of Object.entries(byKind)) {
  console.log(`${kind.padEnd(16)} ${String(s.n).padStart(6)} ${String(s.truth).padStart(7)} ${String(s.est).padStart(9)}` +
    `  ${(100 * (s.est - s.truth) / s.truth).toFixed(1).padStart(8)}%  ${(100 * s.maxRel).toFixed(1).padStart(16)}%` +
    `  ${(100 * (s.charsOver4 - s.truth) / s.truth).toFixed(1).padStart(10)}%`);
}
console.log(`overall: target ${sumTrue}, estimate ${sumEst} (${(100 * (sumEst - sumTrue) / sumTrue).toFixed(1)}%), worst text >=20 tokens ${(100 * worst).toFixed(1)}% (${worstText})`);
