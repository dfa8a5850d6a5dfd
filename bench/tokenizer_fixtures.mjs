// Generates tokenizer/testdata/fixtures.jsonl: texts of many kinds with their reference ids for
// o200k_base and cl100k_base from npm `tiktoken` (the WASM build of OpenAI's tiktoken), and
// cross-checks them with npm `gpt-tokenizer`.
//
//   node bench/tokenizer_fixtures.mjs <dir holding node_modules> <output.jsonl>
// (bench/tokenizer.sh installs both packages into <build dir>/tokenizer-node; pass that directory.)
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { CODE, EMOJI, ENGLISH, OTHER_SCRIPTS, VIETNAMESE, pick, seeded } from "./tokenizer_corpus.mjs";

const [packageDir, output] = process.argv.slice(2);
const require = createRequire(resolve(packageDir, "index.js"));
const { get_encoding } = require("tiktoken");
const gpt = {
  o200k_base: require("gpt-tokenizer/cjs/encoding/o200k_base"),
  cl100k_base: require("gpt-tokenizer/cjs/encoding/cl100k_base"),
};
const reference = { o200k_base: get_encoding("o200k_base"), cl100k_base: get_encoding("cl100k_base") };

const rng = seeded(8);
const texts = [];
const add = (kind, text) => texts.push({ id: `${kind}-${texts.length}`, text });
const words = (list, n) => Array.from({ length: n }, () => pick(rng, list)).join(" ");

// Unicode ranges of long-assigned characters (so the reference's Unicode version and utf8proc's
// agree): Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic, Devanagari, Thai, Hangul, CJK,
// combining marks, punctuation, symbols, fullwidth forms, emoji.
const RANGES = [[0x20, 0x7e], [0xa0, 0x24f], [0x300, 0x36f], [0x370, 0x3ff], [0x400, 0x4ff], [0x531, 0x587],
  [0x5d0, 0x5ea], [0x621, 0x64a], [0x660, 0x669], [0x900, 0x97f], [0xe01, 0xe5b], [0x1e00, 0x1eff],
  [0x2000, 0x206f], [0x2070, 0x209c], [0x20a0, 0x20bf], [0x2100, 0x214f], [0x2160, 0x2188], [0x2190, 0x23ff],
  [0x2460, 0x24ff], [0x2500, 0x27bf], [0x3000, 0x303f], [0x3041, 0x30ff], [0x4e00, 0x9fa5], [0xac00, 0xd7a3],
  [0xff01, 0xff60], [0x1f300, 0x1f64f], [0x1d400, 0x1d7ff]];
function randomUnicode(n) {
  let s = "";
  while ([...s].length < n) {
    const [lo, hi] = pick(rng, RANGES);
    const cp = lo + Math.floor(rng() * (hi - lo + 1));
    const c = String.fromCodePoint(cp);
    if (/\p{Cn}|\p{Co}|\p{Cs}/u.test(c)) continue;
    s += c;
  }
  return s;
}
const SPACES = [" ", "  ", "\t", "\n", "\r\n", "\n\n", "   \n", " \n ", "\u00a0", "\u3000", "\u2003", "\u0085", "\v", "\f"];

for (let i = 0; i < 60; i++) add("english", words(ENGLISH, 1 + Math.floor(rng() * 6)));
for (let i = 0; i < 60; i++) add("vietnamese-nfc", words(VIETNAMESE, 1 + Math.floor(rng() * 6)).normalize("NFC"));
for (let i = 0; i < 60; i++) add("vietnamese-nfd", words(VIETNAMESE, 1 + Math.floor(rng() * 6)).normalize("NFD"));
for (let i = 0; i < 40; i++) add("code", words(CODE, 1 + Math.floor(rng() * 3)));
for (let i = 0; i < 30; i++) add("emoji", Array.from({ length: 1 + Math.floor(rng() * 12) }, () => pick(rng, EMOJI) + (rng() < 0.5 ? " " : "")).join(""));
for (let i = 0; i < 60; i++) {
  let s = "";
  for (let k = 0; k < 1 + Math.floor(rng() * 10); k++) s += pick(rng, SPACES).repeat(1 + Math.floor(rng() * 5)) + (rng() < 0.6 ? pick(rng, ["a", "word", "Xin", "1", "!", "//", "'s", "é"]) : "");
  add("whitespace", s);
}
for (let i = 0; i < 40; i++) {
  let s = "";
  for (let k = 0; k < 1 + Math.floor(rng() * 8); k++) s += String(Math.floor(rng() * 10 ** (1 + Math.floor(rng() * 12)))) + pick(rng, ["", " ", ".", ",", "-", "٣", "²", "Ⅻ", "½"]);
  add("digits", s);
}
for (let i = 0; i < 60; i++) {
  const all = [ENGLISH, VIETNAMESE, OTHER_SCRIPTS, CODE, EMOJI];
  add("mixed", Array.from({ length: 2 + Math.floor(rng() * 5) }, () => pick(rng, pick(rng, all))).join(pick(rng, ["", " ", "\n"])));
}
for (let i = 0; i < 120; i++) add("random-unicode", randomUnicode(1 + Math.floor(rng() * 60)));
// Hand-picked edges of the patterns: contractions, letter cases, marks, slashes, specials.
for (const s of ["don't", "DON'T", "I'M", "we'RE", "they'Ve", "you'LL", "it'ſ", "'s", "''s", " 's", "x's's",
  "HELLOworld", "helloWorld", "日A", "日Aa", "AꜰB", "ǅa", "ǅA", "e\u0301", "\u0301", "\u0301a", " \u0301\u0301a",
  "a//b", "!\n//x", "!!\r\n\r\n", "foo\n  ", "foo\n  bar", "  \n  ", "\t\tx", " \u00a0x", "x \u3000 y",
  "<|endoftext|>", "a<|endofprompt|>b", "<|fim_prefix|>", "12345678", "١٢٣٤", "Ⅷ12", "x²³⁴", "", " ", "\n"]) {
  add("edge", s);
}

let disagreements = 0;
const lines = texts.map(({ id, text }) => {
  const row = { id, text };
  for (const name of ["o200k_base", "cl100k_base"]) {
    row[name] = Array.from(reference[name].encode_ordinary(text));
    const other = gpt[name].encode(text, { allowedSpecial: new Set(), disallowedSpecial: new Set() });
    if (JSON.stringify(other) !== JSON.stringify(row[name])) {
      disagreements++;
      console.error(`gpt-tokenizer differs from tiktoken on ${name} ${id}: ${JSON.stringify(text)}`);
    }
  }
  return JSON.stringify(row);
});
writeFileSync(output, lines.join("\n") + "\n");
console.error(`${texts.length} texts written to ${output}; gpt-tokenizer disagreed with tiktoken on ${disagreements}`);
