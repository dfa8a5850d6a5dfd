#include "reagent/tools/calculator.h"

#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

#include "reagent/tools/builtin_tools.h"
#include "reagent/tools/tool_registry.h"

namespace reagent {
namespace {

double Eval(std::string_view e) {
  Result<double> r = EvaluateExpression(e);
  EXPECT_TRUE(r.ok()) << e << ": " << r.status();
  return r.value_or(NAN);
}

std::string ErrorOf(std::string_view e) {
  Result<double> r = EvaluateExpression(e);
  EXPECT_FALSE(r.ok()) << e << " evaluated to " << r.value_or(0);
  return r.status().message();
}

TEST(Calculator, PrecedenceAndAssociativity) {
  EXPECT_EQ(Eval("17*23"), 391);
  EXPECT_EQ(Eval("1 + 2 * 3"), 7);
  EXPECT_EQ(Eval("(1 + 2) * 3"), 9);
  EXPECT_EQ(Eval("10 - 4 - 3"), 3);
  EXPECT_EQ(Eval("100 / 10 / 5"), 2);
  EXPECT_EQ(Eval("2^3^2"), 512);  // right-associative
  EXPECT_EQ(Eval("2**10"), 1024);
  EXPECT_EQ(Eval("17 % 5"), 2);
  EXPECT_EQ(Eval("2 * 3 % 4"), 2);
}

TEST(Calculator, UnaryMinusBindsLooserThanPower) {
  EXPECT_EQ(Eval("-2^2"), -4);
  EXPECT_EQ(Eval("(-2)^2"), 4);
  EXPECT_EQ(Eval("2^-1"), 0.5);
  EXPECT_EQ(Eval("--3"), 3);
  EXPECT_EQ(Eval("-(1+2)*+3"), -9);
}

TEST(Calculator, UnicodeOperators) {
  EXPECT_EQ(Eval("6 × 7"), 42);
  EXPECT_EQ(Eval("84 ÷ 2"), 42);
  EXPECT_EQ(Eval("50 − 8"), 42);
  EXPECT_DOUBLE_EQ(Eval("2 × π"), 2 * std::numbers::pi);
}

TEST(Calculator, NumbersInDecimalAndScientificNotation) {
  EXPECT_EQ(Eval("1.5 + .5"), 2);
  EXPECT_EQ(Eval("1e3"), 1000);
  EXPECT_EQ(Eval("2.5E-1"), 0.25);
  EXPECT_EQ(Eval("1e+2 * 3"), 300);
}

TEST(Calculator, FunctionsAndConstants) {
  EXPECT_EQ(Eval("sqrt(16)"), 4);
  EXPECT_DOUBLE_EQ(Eval("log(e)"), 1);
  EXPECT_DOUBLE_EQ(Eval("exp(0)"), 1);
  EXPECT_DOUBLE_EQ(Eval("sin(0) + cos(0)"), 1);
  EXPECT_DOUBLE_EQ(Eval("cos(pi)"), -1);
  EXPECT_EQ(Eval("abs(-3.5)"), 3.5);
  EXPECT_EQ(Eval("round(2.5)"), 3);
  EXPECT_EQ(Eval("round(-2.5)"), -3);
  EXPECT_DOUBLE_EQ(Eval("round(3.14159, 2)"), 3.14);
  EXPECT_EQ(Eval("min(3, 1, 2)"), 1);
  EXPECT_EQ(Eval("max(3, 1 + 9, 2)"), 10);
  EXPECT_DOUBLE_EQ(Eval("π"), std::numbers::pi);
  EXPECT_EQ(Eval("sqrt(max(9, 4)) * 2"), 6);
}

TEST(Calculator, ClearErrors) {
  EXPECT_EQ(ErrorOf("1/0"), "division by zero");
  EXPECT_EQ(ErrorOf("5 % 0"), "modulo by zero");
  EXPECT_EQ(ErrorOf("1/(2-2)"), "division by zero");
  EXPECT_EQ(ErrorOf(""), "empty expression");
  EXPECT_EQ(ErrorOf("   "), "empty expression");
  EXPECT_EQ(ErrorOf("1 +"), "unexpected end of expression");
  EXPECT_EQ(ErrorOf("(1 + 2"), "expected ')' at position 7");
  EXPECT_EQ(ErrorOf("1 + 2)"), "unexpected ')' at position 6");
  EXPECT_EQ(ErrorOf("foo(2)"), "unknown function 'foo' at position 1");
  EXPECT_EQ(ErrorOf("x + 1"), "unknown name 'x' at position 1");
  EXPECT_EQ(ErrorOf("sqrt(-1)"), "sqrt of a negative number");
  EXPECT_EQ(ErrorOf("log(0)"), "log of a number that is not positive");
  EXPECT_EQ(ErrorOf("sqrt"), "function 'sqrt' needs arguments in parentheses");
  EXPECT_EQ(ErrorOf("sqrt(1, 2)"), "sqrt() takes 1 argument, got 2");
  EXPECT_EQ(ErrorOf("max()"), "max() needs at least one argument");
  EXPECT_EQ(ErrorOf("1,000 + 1"), "unexpected ',' at position 2");
  EXPECT_EQ(ErrorOf("2 $ 3"), "unexpected '$' at position 3");
  EXPECT_EQ(ErrorOf("0^-1"), "division by zero (0 raised to a negative power)");
  EXPECT_EQ(ErrorOf("(-8)^(1/3)"), "negative number raised to a fractional power");
  EXPECT_EQ(ErrorOf("10^400"), "the result is not a finite number");
  EXPECT_EQ(ErrorOf("__import__('os')"), "unknown function '__import__' at position 1");
}

TEST(Calculator, DeepNestingIsRefusedNotACrash) {
  std::string deep(100000, '(');
  deep += "1";
  EXPECT_EQ(ErrorOf(deep), "expression longer than 4096 bytes");
  std::string nested(2000, '(');
  nested += "1" + std::string(2000, ')');
  EXPECT_EQ(ErrorOf(nested), "expression nested too deeply");
  EXPECT_EQ(ErrorOf(std::string(3000, '-') + "1"), "expression nested too deeply");
}

TEST(Calculator, ResultsAreFormattedShortAndExact) {
  EXPECT_EQ(FormatCalculatorNumber(391), "391");
  EXPECT_EQ(FormatCalculatorNumber(-0.0), "0");
  EXPECT_EQ(FormatCalculatorNumber(0.1 + 0.2), "0.3");
  EXPECT_EQ(FormatCalculatorNumber(1.0 / 3), "0.333333333333333");
  EXPECT_EQ(FormatCalculatorNumber(1e20), "1e+20");
  EXPECT_EQ(FormatCalculatorNumber(123456789012345), "123456789012345");
}

TEST(CalculatorTool, AnswersPlainTextActionInput) {
  ToolRegistry reg;
  ASSERT_TRUE(reg.Register(MakeCalculatorTool()).ok());
  ToolResult r = reg.Invoke("calculator", "17*23", {});
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ(r.text, "391");
  EXPECT_EQ(r.structured["result"], 391.0);
  ToolResult bad = reg.Invoke("calculator", R"({"expression": "1/0"})", {});
  EXPECT_TRUE(bad.is_error);
  EXPECT_EQ(bad.error_kind, tool_error::kFailed);
  EXPECT_EQ(bad.text, "cannot evaluate \"1/0\": division by zero");
}

}  // namespace
}  // namespace reagent
