// The in-memory session store: the SQLite store's semantics (same TTL, LRU, limits, ledger,
// errors) without a file, for tests and throwaway runs. Thread-safe; state dies with the
// process and is not shared between processes.
#pragma once

#include <memory>

#include "reagent/core/clock.h"
#include "reagent/session/session_store.h"

namespace reagent {

// The clock must outlive the store and its leases.
std::unique_ptr<SessionStore> MakeInMemorySessionStore(const SessionStoreOptions& options, Clock& clock);

}  // namespace reagent
