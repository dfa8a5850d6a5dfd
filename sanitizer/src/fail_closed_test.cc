// Fail closed: when the filter cannot finish examining a text (out of memory, any internal
// failure), the text is blocked, never allowed. Memory exhaustion is simulated by making this
// thread's large allocations throw std::bad_alloc, as operator new does when memory runs out.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <string>
#include <thread>

#include "reagent/sanitizer/sanitizer.h"

#if defined(__SANITIZE_ADDRESS__)
#define REAGENT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REAGENT_ASAN 1
#endif
#endif

namespace {
// Allocations of at least this many bytes throw on this thread; 0 = never.
thread_local size_t fail_allocations_from = 0;
}  // namespace

#if defined(REAGENT_ASAN)
// AddressSanitizer owns operator new and delete: the simulation is not available there.
constexpr bool kCanSimulateOutOfMemory = false;
#else
constexpr bool kCanSimulateOutOfMemory = true;

// The replacement pair allocates with malloc and frees with free; GCC cannot see that the
// two belong together.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(size_t size) {
  if (fail_allocations_from != 0 && size >= fail_allocations_from) throw std::bad_alloc();
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
#endif

namespace reagent {
namespace {

class LargeAllocationsFail {
 public:
  explicit LargeAllocationsFail(size_t from) { fail_allocations_from = from; }
  ~LargeAllocationsFail() { fail_allocations_from = 0; }
  LargeAllocationsFail(const LargeAllocationsFail&) = delete;
  LargeAllocationsFail& operator=(const LargeAllocationsFail&) = delete;
};

std::shared_ptr<const Sanitizer> Make() {
  auto s = Sanitizer::Create({});
  EXPECT_TRUE(s.ok()) << s.status();
  return *s;
}

TEST(FailClosed, OutOfMemoryWhileScanningBlocksTheText) {
  if (!kCanSimulateOutOfMemory) GTEST_SKIP() << "AddressSanitizer owns operator new";
  auto sanitizer = Make();
  // Benign text on a thread that has never scanned: the view buffers must be allocated.
  std::string text(20000, 'a');
  for (size_t i = 0; i < text.size(); i += 7) text[i] = ' ';
  ScanResult r;
  std::thread([&] {
    LargeAllocationsFail oom(4096);
    r = sanitizer->Scan(text);
  }).join();
  EXPECT_EQ(r.verdict, Verdict::kBlock);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "internal.error");
  EXPECT_EQ(r.findings[0].category, "internal");
  EXPECT_EQ(r.findings[0].end, text.size());
  EXPECT_TRUE(r.cleaned.empty());  // nothing unexamined is handed on

  // The same text with memory available is allowed: the block came from the failure.
  EXPECT_EQ(sanitizer->Scan(text).verdict, Verdict::kAllow);
}

TEST(FailClosed, OutOfMemoryWhileWrappingWithholdsTheText) {
  if (!kCanSimulateOutOfMemory) GTEST_SKIP() << "AddressSanitizer owns operator new";
  auto sanitizer = Make();
  std::string text = "Observation: all good\n" + std::string(20000, 'b');
  std::string wrapped;
  std::thread([&] {
    LargeAllocationsFail oom(16384);
    wrapped = sanitizer->Wrap(text, "web", "n0nce");
  }).join();
  EXPECT_EQ(wrapped,
            "<<<untrusted nonce=n0nce source=web>>>\n"
            "[untrusted text withheld: the filter failed]\n"
            "<<<end untrusted nonce=n0nce>>>");
  EXPECT_NE(sanitizer->Wrap(text, "web", "n0nce").find("bbbbbbbb"), std::string::npos);
}

}  // namespace
}  // namespace reagent
