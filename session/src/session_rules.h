// The rules are public (reagent/session/session_rules.h) because stores outside this layer
// apply them too; the layer's own sources include them by this short name.
#pragma once

#include "reagent/session/session_rules.h"
