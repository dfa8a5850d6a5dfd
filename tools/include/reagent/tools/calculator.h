// The arithmetic behind the `calculator` tool: a recursive-descent parser over doubles. No
// eval, no shell, no allocation proportional to anything but the input.
//
// Grammar (lowest precedence first):
//   expr    := term (('+' | '-' | '−') term)*
//   term    := unary (('*' | '/' | '%' | '×' | '÷') unary)*       % is the remainder (fmod)
//   unary   := ('-' | '+' | '−') unary | power
//   power   := primary (('^' | '**') unary)?                      right-associative; -2^2 = -4
//   primary := number | constant | function '(' expr (',' expr)* ')' | '(' expr ')'
//   number  := digits ['.' digits] [('e'|'E') ['+'|'-'] digits]    also ".5"; "1,000" is refused
//   constant:= pi | e | π
//   function:= sqrt log (natural) ln log10 log2 exp sin cos tan abs round floor ceil min max
// round(x) rounds half away from zero; round(x, n) to n decimals. min/max take 1+ arguments.
#pragma once

#include <string>
#include <string_view>

#include "reagent/core/status.h"

namespace reagent {

// Evaluates expr. InvalidArgument with a message the model can act on:
//   "division by zero", "unexpected ')' at position 4", "unknown function 'foo'",
//   "sqrt of a negative number", "expected ')' at position 7", "empty expression".
// Thread-safe (pure).
Result<double> EvaluateExpression(std::string_view expr);

// Shortest faithful text for a result: integers without a decimal point ("391"), others with
// up to 15 significant digits ("0.333333333333333", "1e+20").
std::string FormatCalculatorNumber(double value);

}  // namespace reagent
