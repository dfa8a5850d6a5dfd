// The official openai package against `reagent serve`, unchanged: a plain completion, a
// stream (with usage), the model list, and the SDK's own error for a wrong key.
// Usage: node openai_client.mjs BASE_URL API_KEY   (prints one JSON line with what it saw)
import OpenAI from "openai";

const [baseURL, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60_000 });
const out = {};

const completion = await client.chat.completions.create({
  model: "reagent",
  messages: [{ role: "user", content: "What is 17*23?" }],
});
out.plain = {
  content: completion.choices[0].message.content,
  finish_reason: completion.choices[0].finish_reason,
  total_tokens: completion.usage.total_tokens,
  stop_reason: completion.reagent?.stop_reason,
  session_id: completion.reagent?.session_id,
};

// The next turn continues that session, through the documented metadata field.
const stream = await client.chat.completions.create({
  model: "reagent",
  stream: true,
  stream_options: { include_usage: true },
  metadata: { session_id: out.plain.session_id },
  messages: [{ role: "user", content: "What is 6*7?" }],
});
let content = "", chunks = 0, finish = null, usage = null, sessionId = null;
for await (const chunk of stream) {
  chunks++;
  for (const choice of chunk.choices) {
    if (choice.delta?.content) content += choice.delta.content;
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  if (chunk.usage) usage = chunk.usage;
  if (chunk.reagent) sessionId = chunk.reagent.session_id;
}
out.stream = { content, chunks, finish_reason: finish, total_tokens: usage?.total_tokens, session_id: sessionId };

const models = await client.models.list();
out.models = models.data.map((m) => m.id);

try {
  await new OpenAI({ baseURL, apiKey: "sk-wrong-key-000000000000", maxRetries: 0 }).chat.completions.create({
    model: "reagent", messages: [{ role: "user", content: "hi" }],
  });
  out.wrong_key = "accepted";
} catch (err) {
  out.wrong_key = { name: err.constructor.name, status: err.status, code: err.code };
}
console.log(JSON.stringify(out));
