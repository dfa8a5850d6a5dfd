// HostileProvider: an OpenAI-compatible endpoint on 127.0.0.1 that misbehaves on purpose, for
// tests that check reagent ends every turn cleanly whatever a provider sends. It speaks raw
// HTTP/1.1 over its own sockets (no HTTP library to tidy up what it writes), so it can send
// what a real server library would refuse to: numbers out of range, 100,000 nested brackets,
// an endless or one-byte-a-second stream, a body cut short, a reset, a redirect.
//
// One server plays every behaviour; the first path segment picks it:
//
//   HostileProvider server;
//   if (Status s = server.Start(); !s.ok()) ...
//   std::string url = server.base_url("endless-sse");  // http://127.0.0.1:PORT/endless-sse/v1
//
// Behaviours that make the model ask for a tool answer "Final Answer: done" (or a plain "done"
// in native mode) once the request carries an observation, so a turn can finish. Thread-safe;
// one thread per connection, every connection closed after one response.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reagent/core/status.h"

namespace reagent::mockllm {

// The behaviours, by the path segment that selects them.
//  ok                  a plain answer (the control case)
//  huge-number         a JSON body whose usage holds 1e400
//  huge-number-sse     an SSE chunk holding 1e400
//  number-args         a tool call whose arguments hold 1e400 (ReAct: in the Action Input)
//  deep-body           a body nested 100,000 levels deep (native tool-call arguments object)
//  deep-args           tool-call arguments (a string) nested 100,000 levels deep
//  negative-usage      usage of -1,000,005 prompt tokens
//  huge-usage          usage of 9223372036854775807 completion tokens
//  unpriced-name       the reply says it came from "hostile-unpriced-model"
//  cheap-name          the reply says it came from "gpt-4.1-nano"; usage 1000 + 1000
//  echo-key            the answer repeats the request's API key
//  echo-key-error      a 400 whose message repeats the API key upper-cased
//  retry-after-huge    429 with Retry-After: 10000000000
//  endless-sse         an SSE stream of keep-alive chunks that never ends
//  slow-drip           a reply sent one byte per second
//  truncated-sse       two SSE chunks, then the connection closes without [DONE]
//  truncated-body      Content-Length: 1000, ten bytes, then the connection closes
//  reset               the connection is reset after the request is read
//  redirect            307 to http://elsewhere.invalid/v1/chat/completions
//  many-tool-calls     one reply with 10,000 tool calls (ReAct: 10,000 Action lines)
//  huge-tool-name      a tool call whose name is 100 KB long
//  tool-then-stall     a tool call; once its observation arrives, an endless stream
//  fail-N              500 for the first N requests on this path, then a plain answer
std::vector<std::string> HostileBehaviours();

class HostileProvider {
 public:
  HostileProvider();
  ~HostileProvider();  // Stop()s
  HostileProvider(const HostileProvider&) = delete;
  HostileProvider& operator=(const HostileProvider&) = delete;

  // Listens on 127.0.0.1, a free port, and serves on a background thread.
  Status Start();
  // Stops accepting, ends the endless replies and waits for every connection thread.
  void Stop();

  int port() const;
  // "http://127.0.0.1:PORT/<behaviour>/v1".
  std::string base_url(std::string_view behaviour) const;
  // Completion requests received on a behaviour's path so far.
  int64_t requests(std::string_view behaviour) const;
  // The `model` field of the last request on a behaviour's path.
  std::string last_model(std::string_view behaviour) const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace reagent::mockllm
