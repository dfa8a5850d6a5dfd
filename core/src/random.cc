#include "reagent/core/random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace reagent {

double SeededRandom::Uniform() {
  std::lock_guard lock(mu_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine_);
}

Random& DefaultRandom() {
  static SeededRandom random([] {
    uint64_t seed = 0;
    std::string bytes = SecureRandomBytes(sizeof seed);
    for (unsigned char c : bytes) seed = (seed << 8) | c;
    return seed;
  }());
  return random;
}

std::string SecureRandomBytes(size_t n) {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    ssize_t r = getrandom(out.data() + got, n - got, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "reagent: getrandom failed (errno %d); refusing to make weak ids\n", errno);
      std::abort();
    }
    got += static_cast<size_t>(r);
  }
  return out;
}

std::string RandomId128() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string raw = SecureRandomBytes(16);
  std::string out;
  out.reserve(22);
  // 128 bits do not fill 22 characters of 6 bits: the 4 spare bits are leading zeros, so the
  // first character carries 2 bits and is always A-D. An id never starts with '-', where a
  // command line would read it as an option.
  uint32_t acc = 0;
  int bits = 4;
  for (unsigned char c : raw) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 0x3F]);
    }
  }
  return out;
}

}  // namespace reagent
