// Converts one parquet file to JSON lines (one object per row) with the npm package
// hyparquet. Used once, to import the deepset prompt-injection parquet files; the result is
// committed, so training never needs Node.
//   npm install hyparquet@1.33.0 && node parquet_to_jsonl.mjs IN.parquet > OUT.jsonl
import { readFileSync } from 'node:fs';
import { parquetReadObjects } from 'hyparquet';

const buf = readFileSync(process.argv[2]);
const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
const rows = await parquetReadObjects({ file });
for (const row of rows) {
  process.stdout.write(JSON.stringify(row, (k, v) => (typeof v === 'bigint' ? Number(v) : v)) + '\n');
}
