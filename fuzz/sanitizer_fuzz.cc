// Sanitizer::Scan and Wrap on arbitrary bytes from every source: no crash, findings inside the
// text, a score in [0, 1], and a spotlighted block the text cannot close early.
#include <memory>
#include <string>

#include "fuzz_check.h"
#include "reagent/sanitizer/sanitizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace reagent;
  fuzz::QuietLogs();
  static const std::shared_ptr<const Sanitizer> sanitizer = [] {
    auto s = Sanitizer::Create();
    FUZZ_CHECK(s.ok());
    return *s;
  }();
  if (size == 0) return 0;
  const TextSource source = static_cast<TextSource>(data[0] % 4);
  const std::string_view text = fuzz::AsText(data + 1, size - 1);
  const ScanResult r = sanitizer->Scan(text, source);
  FUZZ_CHECK(r.score >= 0 && r.score <= 1);
  for (const Finding& f : r.findings) FUZZ_CHECK(f.start <= f.end && f.end <= text.size());
  const std::string nonce = "0123456789abcdef01234567";
  const std::string wrapped = sanitizer->Wrap(text, "fuzz", nonce);
  const std::string end = "<<<end untrusted nonce=" + nonce + ">>>";
  const size_t at = wrapped.find(end);
  FUZZ_CHECK(at != std::string::npos);
  FUZZ_CHECK(wrapped.find(end, at + 1) == std::string::npos);  // only the real end
  return 0;
}
