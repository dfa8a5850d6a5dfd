// The ReAct reply parser: it never fails, every kind carries what it promises, and the text
// it keeps for the history is never longer than the reply.
#include "fuzz_check.h"
#include "reagent/agent/react_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace reagent;
  fuzz::QuietLogs();
  const std::string_view text = fuzz::AsText(data, size);
  const ReactReply r = ParseReactReply(text);
  switch (r.kind) {
    case ReactReply::Kind::kAction: FUZZ_CHECK(!r.action.empty()); break;
    case ReactReply::Kind::kFinalAnswer: FUZZ_CHECK(!r.final_answer.empty()); break;
    case ReactReply::Kind::kMalformed: FUZZ_CHECK(!r.error.empty()); break;
  }
  FUZZ_CHECK(r.text.size() <= text.size());
  (void)ExtractClosingAnswer(text);
  return 0;
}
