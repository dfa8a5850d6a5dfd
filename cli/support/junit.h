// A JUnit XML report (the format CI systems read): one <testcase> per scenario.
#pragma once

#include <string>
#include <vector>

#include "reagent/core/status.h"

namespace reagent::cli {

struct JUnitCase {
  std::string name;
  std::string classname;  // the scenario's file
  double seconds = 0;     // wall time the case took
  bool passed = true;
  std::string failure;    // message when !passed
};

// Escapes &, <, >, " and ' and drops characters XML 1.0 forbids.
std::string XmlEscape(std::string_view text);

std::string JUnitXml(const std::string& suite_name, const std::vector<JUnitCase>& cases);
Status WriteJUnitFile(const std::string& path, const std::string& suite_name,
                      const std::vector<JUnitCase>& cases);

}  // namespace reagent::cli
