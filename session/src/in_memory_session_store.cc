// The in-memory store: maps under one mutex, the same rules as the SQLite store
// (session_rules.h), checked by the same conformance suite.
#include "reagent/session/in_memory_session_store.h"

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <tuple>
#include <unordered_map>

#include "reagent/core/random.h"
#include "session_rules.h"

namespace reagent {
namespace {

using namespace session_internal;

struct StoredSession {
  SessionInfo info;
  std::vector<Message> messages;
  std::vector<StepInfo> steps;  // dropped with the session; its usage stays in the ledger
};

// The usage ledger, kept as totals per (user, day, session) rather than a row per step: what
// was spent outlives deleted and evicted sessions, as in the SQLite store, but memory grows
// with the sessions and days seen, not with every step ever taken.
using LedgerKey = std::tuple<std::string, std::string, std::string>;  // user, day, session
struct LedgerTotal {
  int64_t steps = 0;
  Usage usage{.cost_usd = 0.0};
};

struct LeaseRow {
  std::string session_id, user_id;
  int64_t started_us = 0;
};

// Everything behind the mutex; shared with leases so a lease may outlive the store object.
struct MemoryState {
  MemoryState(SessionStoreOptions o, Clock& c) : options(std::move(o)), clock(c) {}
  const SessionStoreOptions options;
  Clock& clock;
  std::mutex mu;
  std::unordered_map<std::string, StoredSession> sessions;
  std::map<LedgerKey, LedgerTotal> ledger;
  std::map<std::string, LeaseRow> leases;  // by lease id
  std::unordered_map<std::string, std::deque<int64_t>> requests;  // per user, oldest first

  int64_t NowUs() const { return ToMicros(clock.WallNow()); }

  bool LeaseLive(const LeaseRow& lease, int64_t now) const {
    return now - lease.started_us < DurationMicros(options.max_turn_duration);
  }

  int64_t ReapAbandonedLeases(int64_t now) {
    return static_cast<int64_t>(
        std::erase_if(leases, [&](const auto& kv) { return !LeaseLive(kv.second, now); }));
  }

  bool InUse(const std::string& session_id, int64_t now) const {
    return std::any_of(leases.begin(), leases.end(), [&](const auto& kv) {
      return kv.second.session_id == session_id && LeaseLive(kv.second, now);
    });
  }

  // The session if visible: kNotFound / kExpired otherwise.
  Result<StoredSession*> Find(std::string_view id, int64_t now) {
    auto it = sessions.find(std::string(id));
    if (it == sessions.end()) return SessionNotFound(id);
    if (IsExpired(ToMicros(it->second.info.last_access), now, options) && !InUse(it->first, now)) {
      return SessionExpired(id);
    }
    return &it->second;
  }

  // Evicts least recently used sessions without a running turn until at most `keep` remain.
  int64_t EvictBeyond(int64_t keep, int64_t now) {
    int64_t excess = static_cast<int64_t>(sessions.size()) - keep;
    if (excess <= 0) return 0;
    std::vector<std::pair<int64_t, std::string>> order;
    for (const auto& [id, s] : sessions) {
      if (!InUse(id, now)) order.emplace_back(ToMicros(s.info.last_access), id);
    }
    std::sort(order.begin(), order.end());
    int64_t evicted = 0;
    for (size_t i = 0; i < order.size() && evicted < excess; ++i, ++evicted) {
      sessions.erase(order[i].second);
    }
    return evicted;
  }
};

class MemoryTurnLease final : public TurnLease {
 public:
  MemoryTurnLease(std::shared_ptr<MemoryState> state, std::string lease_id, std::string session_id,
                  std::string user_id)
      : state_(std::move(state)), lease_id_(std::move(lease_id)), session_id_(std::move(session_id)),
        user_id_(std::move(user_id)) {}
  ~MemoryTurnLease() override {
    std::lock_guard lock(state_->mu);
    state_->leases.erase(lease_id_);
  }
  const std::string& session_id() const override { return session_id_; }
  const std::string& user_id() const override { return user_id_; }

 private:
  std::shared_ptr<MemoryState> state_;
  std::string lease_id_, session_id_, user_id_;
};

class InMemorySessionStore final : public SessionStore {
 public:
  InMemorySessionStore(const SessionStoreOptions& options, Clock& clock)
      : state_(std::make_shared<MemoryState>(options, clock)) {}

  Result<SessionInfo> Create(std::string_view user_id, nlohmann::json metadata) override {
    REAGENT_RETURN_IF_ERROR(CheckUserId(user_id));
    REAGENT_RETURN_IF_ERROR(CheckMetadata(metadata));
    std::lock_guard lock(state_->mu);
    WallTime now = state_->clock.WallNow();
    state_->EvictBeyond(state_->options.max_sessions - 1, ToMicros(now));
    SessionInfo info{.id = RandomId128(), .user_id = std::string(user_id), .created_at = now,
                     .last_access = now, .metadata = std::move(metadata)};
    info.usage.cost_usd = 0.0;
    state_->sessions[info.id] = StoredSession{info, {}, {}};
    return info;
  }

  Result<SessionInfo> GetInfo(std::string_view session_id) override {
    std::lock_guard lock(state_->mu);
    REAGENT_ASSIGN_OR_RETURN(StoredSession * s, state_->Find(session_id, state_->NowUs()));
    return s->info;
  }

  Result<Session> Load(std::string_view session_id) override {
    std::lock_guard lock(state_->mu);
    REAGENT_ASSIGN_OR_RETURN(StoredSession * s, state_->Find(session_id, state_->NowUs()));
    return Session{s->info, s->messages};
  }

  Status AppendStep(std::string_view session_id, const StepRecord& step) override {
    REAGENT_RETURN_IF_ERROR(CheckStep(step, state_->options));
    std::lock_guard lock(state_->mu);
    WallTime now = state_->clock.WallNow();
    REAGENT_ASSIGN_OR_RETURN(StoredSession * s, state_->Find(session_id, ToMicros(now)));
    SessionInfo& info = s->info;
    StepInfo row{.step = info.step_count + 1, .first_message = info.message_count,
                 .message_count = static_cast<int64_t>(step.messages.size()), .model = step.model,
                 .usage = step.usage, .created_at = now, .extra = step.extra};
    LedgerTotal& total = state_->ledger[{info.user_id, UtcDay(now), info.id}];
    total.steps += 1;
    total.usage += step.usage;
    info.message_count += row.message_count;
    s->steps.push_back(std::move(row));
    s->messages.insert(s->messages.end(), step.messages.begin(), step.messages.end());
    info.step_count += 1;
    info.usage += step.usage;
    info.last_access = now;
    return Status::Ok();
  }

  Result<std::unique_ptr<TurnLease>> BeginTurn(std::string_view session_id) override {
    return BeginWhenFree(state_->clock, state_->options,
                         [&](bool& busy) { return TryBeginTurn(session_id, busy); });
  }

  Result<std::unique_ptr<TurnLease>> TryBeginTurn(std::string_view session_id, bool& busy) {
    std::lock_guard lock(state_->mu);
    const SessionStoreOptions& o = state_->options;
    WallTime now = state_->clock.WallNow();
    int64_t now_us = ToMicros(now);
    state_->ReapAbandonedLeases(now_us);
    REAGENT_ASSIGN_OR_RETURN(StoredSession * s, state_->Find(session_id, now_us));
    if (std::any_of(state_->leases.begin(), state_->leases.end(),
                    [&](const auto& kv) { return kv.second.session_id == s->info.id; })) {
      busy = true;
      return SessionBusy(session_id, o);
    }
    const std::string& user = s->info.user_id;
    if (o.max_concurrent_turns_per_user > 0) {
      int running = static_cast<int>(std::count_if(state_->leases.begin(), state_->leases.end(),
                                                   [&](const auto& kv) { return kv.second.user_id == user; }));
      if (running >= o.max_concurrent_turns_per_user) return TooManyTurns(user, running, o);
    }
    std::deque<int64_t>& window = state_->requests[user];
    int64_t window_start = now_us - DurationMicros(o.request_window);
    while (!window.empty() && window.front() <= window_start) window.pop_front();
    if (o.max_requests_per_window > 0 && static_cast<int>(window.size()) >= o.max_requests_per_window) {
      return TooManyRequests(user, WindowRetryAfter(window.front(), now_us, o), o);
    }
    window.push_back(now_us);
    std::string lease_id = RandomId128();
    state_->leases[lease_id] = LeaseRow{s->info.id, user, now_us};
    s->info.last_access = now;
    return std::unique_ptr<TurnLease>(
        std::make_unique<MemoryTurnLease>(state_, lease_id, s->info.id, user));
  }

  Status Touch(std::string_view session_id) override {
    std::lock_guard lock(state_->mu);
    WallTime now = state_->clock.WallNow();
    REAGENT_ASSIGN_OR_RETURN(StoredSession * s, state_->Find(session_id, ToMicros(now)));
    s->info.last_access = now;
    return Status::Ok();
  }

  Status Delete(std::string_view session_id) override {
    std::lock_guard lock(state_->mu);
    auto it = state_->sessions.find(std::string(session_id));
    if (it == state_->sessions.end()) return SessionNotFound(session_id);
    if (state_->InUse(it->first, state_->NowUs())) return SessionInUse(session_id);
    state_->sessions.erase(it);
    return Status::Ok();
  }

  Result<std::vector<SessionInfo>> List(const ListFilter& filter) override {
    std::lock_guard lock(state_->mu);
    int64_t now = state_->NowUs();
    std::vector<SessionInfo> out;
    for (const auto& [id, s] : state_->sessions) {
      if (!filter.user_id.empty() && s.info.user_id != filter.user_id) continue;
      bool expired = IsExpired(ToMicros(s.info.last_access), now, state_->options) && !state_->InUse(id, now);
      if (filter.expired_only ? !expired : (expired && !filter.include_expired)) continue;
      out.push_back(s.info);
    }
    std::sort(out.begin(), out.end(), [](const SessionInfo& a, const SessionInfo& b) {
      return a.last_access != b.last_access ? a.last_access > b.last_access : a.id < b.id;
    });
    if (filter.limit > 0 && static_cast<int64_t>(out.size()) > filter.limit) out.resize(filter.limit);
    return out;
  }

  Result<std::vector<StepInfo>> Steps(std::string_view session_id) override {
    std::lock_guard lock(state_->mu);
    auto it = state_->sessions.find(std::string(session_id));
    if (it == state_->sessions.end()) return SessionNotFound(session_id);
    return it->second.steps;
  }

  Result<std::vector<UsageTotal>> UsageTotals(UsageGrouping grouping, const UsageFilter& filter) override {
    std::lock_guard lock(state_->mu);
    std::map<std::tuple<std::string, std::string, std::string>, UsageTotal> groups;
    // One user's totals are a contiguous range of the ledger (it is ordered by user first).
    auto first = filter.user_id.empty() ? state_->ledger.begin()
                                        : state_->ledger.lower_bound({filter.user_id, "", ""});
    for (auto row = first; row != state_->ledger.end(); ++row) {
      const auto& [user_id, day, session_id] = row->first;
      if (!filter.user_id.empty() && user_id != filter.user_id) break;
      if (!filter.session_id.empty() && session_id != filter.session_id) continue;
      UsageTotal key;
      switch (grouping) {
        case UsageGrouping::kSession: key.session_id = session_id; key.user_id = user_id; break;
        case UsageGrouping::kUser: key.user_id = user_id; break;
        case UsageGrouping::kDay: key.day = day; break;
        case UsageGrouping::kUserDay: key.user_id = user_id; key.day = day; break;
      }
      auto [it, fresh] = groups.try_emplace({key.session_id, key.user_id, key.day}, key);
      if (fresh) it->second.usage.cost_usd = 0.0;
      it->second.steps += row->second.steps;
      it->second.usage += row->second.usage;
    }
    std::vector<UsageTotal> out;
    for (auto& [k, total] : groups) out.push_back(std::move(total));
    return out;
  }

  Result<SweepReport> Sweep() override {
    std::lock_guard lock(state_->mu);
    int64_t now = state_->NowUs();
    SweepReport report;
    report.abandoned_turns = state_->ReapAbandonedLeases(now);
    report.expired = static_cast<int64_t>(std::erase_if(state_->sessions, [&](const auto& kv) {
      return IsExpired(ToMicros(kv.second.info.last_access), now, state_->options) &&
             !state_->InUse(kv.first, now);
    }));
    report.evicted = state_->EvictBeyond(state_->options.max_sessions, now);
    return report;
  }

  Result<int64_t> RunningTurns(std::string_view user_id) override {
    std::lock_guard lock(state_->mu);
    int64_t now = state_->NowUs();
    return static_cast<int64_t>(std::count_if(state_->leases.begin(), state_->leases.end(), [&](const auto& kv) {
      return kv.second.user_id == user_id && state_->LeaseLive(kv.second, now);
    }));
  }

  const SessionStoreOptions& options() const override { return state_->options; }

 private:
  std::shared_ptr<MemoryState> state_;
};

}  // namespace

std::unique_ptr<SessionStore> MakeInMemorySessionStore(const SessionStoreOptions& options, Clock& clock) {
  return std::make_unique<InMemorySessionStore>(options, clock);
}

}  // namespace reagent
