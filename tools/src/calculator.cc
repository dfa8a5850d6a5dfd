#include "reagent/tools/calculator.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <vector>

namespace reagent {
namespace {

// Deep enough for any real formula, shallow enough that "((((...))))" cannot exhaust the stack.
constexpr int kMaxDepth = 200;
// Expressions longer than this are not arithmetic a model needs help with.
constexpr std::size_t kMaxExpressionBytes = 4096;

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Result<double> Parse() {
    SkipSpace();
    if (pos_ == s_.size()) return Fail("empty expression");
    double v = Expr();
    if (error_.empty()) {
      SkipSpace();
      if (pos_ < s_.size()) Unexpected();
    }
    if (!error_.empty()) return Status::InvalidArgument(error_);
    if (!std::isfinite(v)) return Status::InvalidArgument("the result is not a finite number");
    return v;
  }

 private:
  Status Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return Status::InvalidArgument(error_);
  }
  double Error(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return 0;
  }
  bool failed() const { return !error_.empty(); }

  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  // Consumes token (after spaces) when it is next.
  bool Accept(std::string_view token) {
    SkipSpace();
    if (s_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }
  double Unexpected() {
    if (pos_ >= s_.size()) return Error("unexpected end of expression");
    // Show the whole UTF-8 character at the error position.
    std::size_t len = 1;
    while (pos_ + len < s_.size() && (static_cast<unsigned char>(s_[pos_ + len]) & 0xC0) == 0x80) ++len;
    return Error("unexpected '" + std::string(s_.substr(pos_, len)) + "' at position " + std::to_string(pos_ + 1));
  }

  double Expr() {
    if (++depth_ > kMaxDepth) return Error("expression nested too deeply");
    double v = Term();
    while (!failed()) {
      if (Accept("+")) v += Term();
      else if (Accept("-") || Accept("\u2212")) v -= Term();
      else break;
    }
    --depth_;
    return v;
  }

  double Term() {
    double v = Unary();
    while (!failed()) {
      if (Accept("*") || Accept("\u00D7")) {
        v *= Unary();
      } else if (Accept("/") || Accept("\u00F7")) {
        double d = Unary();
        if (!failed() && d == 0) return Error("division by zero");
        v /= d;
      } else if (Accept("%")) {
        double d = Unary();
        if (!failed() && d == 0) return Error("modulo by zero");
        v = std::fmod(v, d);
      } else {
        break;
      }
    }
    return v;
  }

  double Unary() {
    if (++depth_ > kMaxDepth) return Error("expression nested too deeply");
    double v;
    if (Accept("-") || Accept("\u2212")) v = -Unary();
    else if (Accept("+")) v = Unary();
    else v = Power();
    --depth_;
    return v;
  }

  double Power() {
    double base = Primary();
    if (failed()) return 0;
    if (Accept("^") || Accept("**")) {
      double exponent = Unary();  // right-associative: 2^3^2 = 2^9
      if (failed()) return 0;
      if (base == 0 && exponent < 0) return Error("division by zero (0 raised to a negative power)");
      if (base < 0 && std::floor(exponent) != exponent) return Error("negative number raised to a fractional power");
      return std::pow(base, exponent);
    }
    return base;
  }

  double Primary() {
    SkipSpace();
    if (pos_ >= s_.size()) return Unexpected();
    const char c = s_[pos_];
    if ((c >= '0' && c <= '9') || c == '.') return Number();
    if (Accept("(")) {
      double v = Expr();
      if (failed()) return 0;
      if (!Accept(")")) return Error("expected ')' at position " + std::to_string(pos_ + 1));
      return v;
    }
    if (Accept("\u03C0")) return std::numbers::pi;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return Identifier();
    return Unexpected();
  }

  double Number() {
    const std::size_t start = pos_;
    auto digits = [&] {
      std::size_t n = 0;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_, ++n;
      return n;
    };
    std::size_t n = digits();
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      n += digits();
    }
    if (n == 0) {
      pos_ = start;
      return Unexpected();
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      const std::size_t mark = pos_++;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (digits() == 0) pos_ = mark;  // "2e" or "2ex": the 'e' is not an exponent
    }
    const std::string text(s_.substr(start, pos_ - start));
    return std::strtod(text.c_str(), nullptr);
  }

  double Identifier() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && ((s_[pos_] >= 'a' && s_[pos_] <= 'z') || (s_[pos_] >= 'A' && s_[pos_] <= 'Z') ||
                                (s_[pos_] >= '0' && s_[pos_] <= '9') || s_[pos_] == '_'))
      ++pos_;
    const std::string name(s_.substr(start, pos_ - start));
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == '(') return Call(name, start);
    if (name == "pi" || name == "PI") return std::numbers::pi;
    if (name == "e") return std::numbers::e;
    if (IsFunction(name)) return Error("function '" + name + "' needs arguments in parentheses");
    return Error("unknown name '" + name + "' at position " + std::to_string(start + 1));
  }

  static bool IsFunction(const std::string& n) {
    for (const char* f : {"sqrt", "log", "ln", "log10", "log2", "exp", "sin", "cos", "tan", "abs", "round",
                          "floor", "ceil", "min", "max"})
      if (n == f) return true;
    return false;
  }

  double Call(const std::string& name, std::size_t at) {
    if (!IsFunction(name)) return Error("unknown function '" + name + "' at position " + std::to_string(at + 1));
    Accept("(");
    std::vector<double> args;
    if (!Accept(")")) {
      do {
        args.push_back(Expr());
        if (failed()) return 0;
      } while (Accept(","));
      if (!Accept(")")) return Error("expected ')' at position " + std::to_string(pos_ + 1));
    }
    return Apply(name, args);
  }

  double Apply(const std::string& f, const std::vector<double>& a) {
    const bool variadic = f == "min" || f == "max";
    const bool optional_second = f == "round";
    if (variadic && a.empty()) return Error(f + "() needs at least one argument");
    if (!variadic && !(a.size() == 1 || (optional_second && a.size() == 2)))
      return Error(f + "() takes " + (optional_second ? "1 or 2 arguments" : "1 argument") + ", got " + std::to_string(a.size()));
    const double x = a[0];
    if (f == "sqrt") return x < 0 ? Error("sqrt of a negative number") : std::sqrt(x);
    if (f == "log" || f == "ln") return x <= 0 ? Error(f + " of a number that is not positive") : std::log(x);
    if (f == "log10") return x <= 0 ? Error("log10 of a number that is not positive") : std::log10(x);
    if (f == "log2") return x <= 0 ? Error("log2 of a number that is not positive") : std::log2(x);
    if (f == "exp") return std::exp(x);
    if (f == "sin") return std::sin(x);
    if (f == "cos") return std::cos(x);
    if (f == "tan") return std::tan(x);
    if (f == "abs") return std::fabs(x);
    if (f == "floor") return std::floor(x);
    if (f == "ceil") return std::ceil(x);
    if (f == "round") {
      if (a.size() == 1) return std::round(x);
      if (std::floor(a[1]) != a[1] || std::fabs(a[1]) > 15) return Error("round() decimals must be an integer from -15 to 15");
      const double scale = std::pow(10.0, a[1]);
      return std::round(x * scale) / scale;
    }
    double v = x;
    for (double y : a) v = f == "min" ? std::min(v, y) : std::max(v, y);
    return v;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  std::string error_;
};

}  // namespace

Result<double> EvaluateExpression(std::string_view expr) {
  if (expr.size() > kMaxExpressionBytes)
    return Status::InvalidArgument("expression longer than " + std::to_string(kMaxExpressionBytes) + " bytes");
  return Parser(expr).Parse();
}

std::string FormatCalculatorNumber(double value) {
  if (value == 0) return "0";  // also -0
  constexpr double kExactIntegerLimit = 1e15;  // below 2^53: every integer is exact and prints in full
  if (std::floor(value) == value && std::fabs(value) < kExactIntegerLimit) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", value);
    return buf;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", value);
  return buf;
}

}  // namespace reagent
