// The built-in tools by name, as scenario and config files refer to them.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reagent/core/clock.h"
#include "reagent/core/json.h"
#include "reagent/tools/tool.h"

namespace reagent::cli {

struct BuiltinToolOptions {
  std::string root = ".";  // read_file / list_dir confinement
};

// calculator, current_time, read_file, list_dir. NotFound lists the known names.
Result<std::shared_ptr<Tool>> MakeBuiltinTool(std::string_view name, Clock& clock,
                                              const BuiltinToolOptions& options);
const std::vector<std::string>& BuiltinToolNames();

// External-program tools from the config's "tools.external" array.
Result<std::vector<std::shared_ptr<Tool>>> LoadExternalTools(const Json& specs);

}  // namespace reagent::cli
