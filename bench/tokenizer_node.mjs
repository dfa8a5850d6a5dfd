// The same corpus through npm gpt-tokenizer (and tiktoken's WASM build, for reference):
// MB/s for encode and count, on the whole 1 MiB corpus and on 8 KiB chunks.
//   node bench/tokenizer_node.mjs <dir holding node_modules> <corpus.txt>
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const [packageDir, corpusPath] = process.argv.slice(2);
const require = createRequire(resolve(packageDir, "index.js"));
const corpus = readFileSync(corpusPath, "utf8");
const bytes = Buffer.byteLength(corpus);
const chunkBytes = 8192;
const chunks = [];
{
  const buf = Buffer.from(corpus);
  for (let at = 0; at < buf.length;) {
    let cut = Math.min(buf.length, at + chunkBytes);
    while (cut < buf.length && (buf[cut] & 0xc0) === 0x80) cut--;
    chunks.push(buf.subarray(at, cut).toString("utf8"));
    at = cut;
  }
}

// Best of several timed runs after a warm-up; CPU time of this process.
function mbps(fn) {
  fn();
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1e6);
  }
  return bytes / best / 1e6;
}

const results = [];
for (const name of ["o200k_base", "cl100k_base"]) {
  const gpt = require(`gpt-tokenizer/cjs/encoding/${name}`);
  const { get_encoding } = require("tiktoken");
  const tk = get_encoding(name);
  results.push({ tool: "gpt-tokenizer", encoding: name,
    encode_1MiB: mbps(() => gpt.encode(corpus)), count_1MiB: mbps(() => gpt.countTokens(corpus)),
    encode_8KiB: mbps(() => { for (const c of chunks) gpt.encode(c); }),
    count_8KiB: mbps(() => { for (const c of chunks) gpt.countTokens(c); }) });
  results.push({ tool: "tiktoken (wasm)", encoding: name,
    encode_1MiB: mbps(() => tk.encode_ordinary(corpus)), count_1MiB: NaN,
    encode_8KiB: mbps(() => { for (const c of chunks) tk.encode_ordinary(c); }), count_8KiB: NaN });
  tk.free();
}
console.log(JSON.stringify({ bytes, results }));
