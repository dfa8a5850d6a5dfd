// Randomness is injected: jitter in backoff and rate limiting draws from a Random, so tests
// pin it (SeededRandom) and assert exact waits. Identifiers that must be unguessable (session
// ids, spotlight nonces) come from SecureRandomBytes, never from a Random.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <string>

namespace reagent {

class Random {
 public:
  virtual ~Random() = default;
  // Uniform in [0, 1). Thread-safe.
  virtual double Uniform() = 0;
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
};

// Deterministic for a given seed. Thread-safe.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : engine_(seed) {}
  using Random::Uniform;
  double Uniform() override;

 private:
  std::mutex mu_;
  std::mt19937_64 engine_;
};

// Always returns the same value; for tests that want "no jitter" or "maximum jitter".
class FixedRandom final : public Random {
 public:
  explicit FixedRandom(double value) : value_(value) {}
  using Random::Uniform;
  double Uniform() override { return value_; }

 private:
  double value_;
};

// Seeded once from the OS. Thread-safe. Not for secrets.
Random& DefaultRandom();

// n bytes from the OS's CSPRNG (getrandom). Aborts the process if the OS cannot provide them,
// because an id that looks random but is not is worse than a crash.
std::string SecureRandomBytes(size_t n);

// 16 random bytes as 22 characters of unpadded base64url: a 128-bit URL-safe identifier whose
// first character is a letter (A-D), so it never reads as a command-line option.
std::string RandomId128();

}  // namespace reagent
