// The SSE parser and the stream assembler: bytes split anywhere give the same events as the
// whole stream, and every event's JSON goes through the assembler without a crash.
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "reagent/llm/openai_wire.h"
#include "reagent/llm/sse_parser.h"

namespace {

struct Parsed {
  std::vector<reagent::SseEvent> events;
  bool too_long = false;
};

Parsed Parse(std::string_view text, const std::vector<size_t>& cuts) {
  Parsed out;
  // A small line limit so the fuzzer reaches it.
  reagent::SseParser parser([&](const reagent::SseEvent& e) {
    out.events.push_back(e);
    return true;
  }, 4096);
  size_t from = 0;
  for (size_t cut : cuts) {
    if (cut <= from || cut > text.size()) continue;
    if (!parser.Feed(text.substr(from, cut - from))) break;
    from = cut;
  }
  if (from < text.size()) parser.Feed(text.substr(from));
  parser.FlushAtEnd();
  out.too_long = parser.line_too_long();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace reagent;
  fuzz::QuietLogs();
  if (size < 2) return 0;
  // The first byte picks the piece size: 1..256 bytes.
  const size_t step = 1 + data[0];
  const std::string_view text = fuzz::AsText(data + 1, size - 1);
  std::vector<size_t> cuts;
  for (size_t c = step; c < text.size(); c += step) cuts.push_back(c);
  const Parsed whole = Parse(text, {});
  const Parsed pieces = Parse(text, cuts);
  FUZZ_CHECK(whole.too_long == pieces.too_long);
  FUZZ_CHECK(whole.events.size() == pieces.events.size());
  for (size_t i = 0; i < whole.events.size(); ++i) {
    FUZZ_CHECK(whole.events[i].data == pieces.events[i].data);
    FUZZ_CHECK(whole.events[i].event == pieces.events[i].event);
    FUZZ_CHECK(whole.events[i].id == pieces.events[i].id);
  }
  StreamAssembler assembler("m");
  size_t deltas = 0;
  for (const SseEvent& e : whole.events) {
    if (e.data == "[DONE]") break;
    if (assembler.Apply(e.data, [&](const ChatDelta&) { ++deltas; })) break;
  }
  const ChatResponse r = assembler.Take();
  for (const ToolCall& c : r.tool_calls) FUZZ_CHECK(!c.id.empty());
  FUZZ_CHECK(r.usage.prompt_tokens >= 0 && r.usage.completion_tokens >= 0);
  FUZZ_CHECK(r.usage.cached_tokens <= r.usage.prompt_tokens);
  return 0;
}
