// Terminal facts for human-facing output: whether a stream is a terminal, whether colours are
// wanted (only on a terminal, never with NO_COLOR set), and its width.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace reagent::cli {

bool IsTerminal(std::FILE* stream);
// True when `stream` is a terminal and NO_COLOR is unset or empty (https://no-color.org).
bool ColorsWanted(std::FILE* stream);
// Columns of the terminal behind stream, or `fallback`.
int TerminalWidth(std::FILE* stream, int fallback = 80);

enum class Color { kDim, kRed, kGreen, kYellow, kBlue, kMagenta, kCyan, kBold };
// Wraps text in ANSI colour codes when `enabled`, else returns it unchanged.
std::string Paint(std::string_view text, Color color, bool enabled);

// "1m05s", "3.2s", "250ms".
std::string FormatDuration(double seconds);

// "1 step", "2 steps", "0 steps" (nouns that take an "s").
std::string Counted(int64_t n, std::string_view noun);

}  // namespace reagent::cli
