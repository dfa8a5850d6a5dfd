// Links a reagent layer from a parent project's build and uses it.
#include <cstdio>

#include "reagent/core/version.h"
#include "reagent/tokenizer/token_counter.h"

int main() {
  const int64_t n = reagent::TokenCounter::ForModel("gpt-4.1").Count("hello world");
  std::printf("reagent %s as a subproject: \"hello world\" is %lld tokens\n", REAGENT_VERSION,
              static_cast<long long>(n));
  return n == 2 ? 0 : 1;
}
