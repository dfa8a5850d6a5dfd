// RedisSessionStore: each SessionStore call is one Lua script (session_scripts.cc) over the
// keys of redis_keys.h; this file turns arguments into script arguments and replies into
// SessionInfo, Session, StepInfo and UsageTotal values, with the same rules and error texts
// as the other stores (session_rules.h).
#include "reagent/redis/redis_session_store.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "lease_keeper.h"
#include "message_codec.h"
#include "reagent/core/json.h"
#include "reagent/core/logging.h"
#include "reagent/core/random.h"
#include "reagent/session/session_rules.h"
#include "redis_keys.h"
#include "session_commands.h"
#include "session_scripts.h"

namespace reagent {
namespace {

using namespace session_internal;
using namespace redis_internal;
using Args = RedisClient::Args;

constexpr int kLayoutVersion = 1;
// Ids this store hands out are 22 base64url characters; anything else cannot name one of
// its sessions (and must not be spliced into a key).
bool PlausibleId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::string Ms(Duration d) {
  return std::to_string(std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(d).count()));
}

int64_t ParseInt(std::string_view s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

double ParseDouble(const std::string& s) { return s.empty() ? 0.0 : std::strtod(s.c_str(), nullptr); }

// The first element of a script's reply: what happened.
std::string_view Outcome(const RedisReply& r) {
  if (r.is_array() && !r.elements.empty()) return r.elements[0].text();
  return r.text();
}

Status Unexpected(std::string_view what, const RedisReply& r) {
  return Status::Internal(fmt::format("session store: unexpected reply to {} (type {}, \"{}\")", what,
                                      static_cast<int>(r.type), Outcome(r)));
}

Result<SessionInfo> DecodeInfo(std::string_view id, const std::vector<RedisReply>& f, size_t first = 0) {
  if (f.size() < first + kFieldCount || f[first + kUser].is_nil()) {
    return Status::DataLoss(fmt::format("session '{}' has an incomplete summary in Redis", id));
  }
  auto get = [&](SessionField field) -> const std::string& { return f[first + field].str; };
  SessionInfo info;
  info.id = std::string(id);
  info.user_id = get(kUser);
  info.created_at = FromMicros(ParseInt(get(kCreated)));
  info.last_access = FromMicros(ParseInt(get(kAccess)));
  info.step_count = ParseInt(get(kSteps));
  info.message_count = ParseInt(get(kMessages));
  info.usage.prompt_tokens = ParseInt(get(kPrompt));
  info.usage.completion_tokens = ParseInt(get(kCompletion));
  info.usage.cached_tokens = ParseInt(get(kCached));
  if (ParseInt(get(kUnpriced)) == 0) info.usage.cost_usd = ParseDouble(get(kCost));
  if (!get(kMetadata).empty()) {
    auto meta = ParseJson(get(kMetadata), "session metadata");
    if (!meta.ok()) return Status::DataLoss(fmt::format("session '{}': {}", id, meta.status().message()));
    info.metadata = std::move(*meta);
  }
  return info;
}

// Everything a store and its leases share; a lease keeps it alive.
class RedisCore {
 public:
  RedisCore(std::shared_ptr<RedisClient> client, RedisSessionStoreOptions options, Clock& clock)
      : client_(std::move(client)), options_(std::move(options)), clock_(clock),
        keeper_(client_, options_.lease_ttl) {}

  RedisClient& client() { return *client_; }
  const RedisSessionStoreOptions& options() const { return options_; }
  const SessionStoreOptions& rules() const { return options_.store; }
  const std::string& prefix() const { return options_.prefix; }
  Clock& clock() { return clock_; }
  LeaseKeeper& keeper() { return keeper_; }

  // Errors say which component failed: the turn's error reads "session store: redis …".
  Result<RedisReply> Run(const RedisScript& script, const Args& args) {
    auto r = client_->Eval(script, {}, args);
    if (!r.ok()) return r.status().WithContext("session store");
    return r;
  }

  // Redis's own expiry for a session's keys: its TTL plus the retention (and slack).
  std::string ExpireMs() const { return ExpireMsArg(options_); }
  std::string TurnExpireMs() const {
    return Ms(std::max(rules().ttl, rules().max_turn_duration) + options_.expired_retention + kExpirySlack);
  }
  std::string Ttl() const { return TtlArg(options_); }

 private:
  std::shared_ptr<RedisClient> client_;
  const RedisSessionStoreOptions options_;
  Clock& clock_;
  LeaseKeeper keeper_;
};

class RedisTurnLease final : public TurnLease {
 public:
  RedisTurnLease(std::shared_ptr<RedisCore> core, std::string lease_id, std::string session_id, std::string user_id)
      : core_(std::move(core)), lease_id_(std::move(lease_id)), session_id_(std::move(session_id)),
        user_id_(std::move(user_id)), key_(LeaseKey(core_->prefix(), session_id_, lease_id_)) {
    core_->keeper().Add(key_);
  }
  ~RedisTurnLease() override {
    core_->keeper().Remove(key_);
    auto r = core_->Run(EndTurnScript(), {core_->prefix(), session_id_, EscapeKeyPart(user_id_), lease_id_});
    if (!r.ok()) {
      Logger()->warn("ending the turn on session {} failed ({}); its lease expires by itself within {:.0f} s",
                     session_id_, r.status().message(), ToSeconds(core_->options().lease_ttl));
    }
  }
  const std::string& session_id() const override { return session_id_; }
  const std::string& user_id() const override { return user_id_; }

 private:
  std::shared_ptr<RedisCore> core_;
  std::string lease_id_, session_id_, user_id_, key_;
};

class RedisSessionStore final : public SessionStore {
 public:
  explicit RedisSessionStore(std::shared_ptr<RedisCore> core) : core_(std::move(core)) {}

  Result<SessionInfo> Create(std::string_view user_id, nlohmann::json metadata) override {
    REAGENT_RETURN_IF_ERROR(CheckUserId(user_id));
    REAGENT_RETURN_IF_ERROR(CheckMetadata(metadata));
    const WallTime now = core_->clock().WallNow();
    const std::string meta = metadata.is_null() ? "" : DumpJson(metadata);
    for (int attempt = 0; attempt < 3; ++attempt) {
      SessionInfo info{.id = RandomId128(), .user_id = std::string(user_id), .created_at = now,
                       .last_access = now, .metadata = metadata};
      info.usage.cost_usd = 0.0;
      REAGENT_ASSIGN_OR_RETURN(RedisReply r,
                               core_->Run(CreateScript(), {core_->prefix(), info.id, info.user_id,
                                                           EscapeKeyPart(user_id), std::to_string(ToMicros(now)), meta,
                                                           core_->ExpireMs(), std::to_string(rules().max_sessions)}));
      if (Outcome(r) == "OK") return info;
      if (Outcome(r) != "COLLISION") return Unexpected("Create", r);
    }
    return Status::Internal("session store: three random session ids in a row were taken");
  }

  Result<SessionInfo> GetInfo(std::string_view session_id) override {
    if (!PlausibleId(session_id)) return SessionNotFound(session_id);
    REAGENT_ASSIGN_OR_RETURN(RedisReply r, core_->Run(GetInfoScript(), {core_->prefix(), session_id, NowUs(), core_->Ttl()}));
    REAGENT_RETURN_IF_ERROR(Check(r, session_id, "GetInfo", 2));
    return DecodeInfo(session_id, r.elements[1].elements);
  }

  Result<Session> Load(std::string_view session_id) override {
    if (!PlausibleId(session_id)) return SessionNotFound(session_id);
    const std::vector<std::string> owned = LoadArgs(core_->options(), session_id, core_->clock().WallNow());
    REAGENT_ASSIGN_OR_RETURN(RedisReply r, core_->Run(LoadScript(), Args(owned.begin(), owned.end())));
    REAGENT_RETURN_IF_ERROR(Check(r, session_id, "Load", 3));
    Session session;
    REAGENT_ASSIGN_OR_RETURN(session.info, DecodeInfo(session_id, r.elements[1].elements));
    const std::vector<RedisReply>& records = r.elements[2].elements;
    session.messages.reserve(records.size());
    for (size_t i = 0; i < records.size(); ++i) {
      auto m = DecodeMessage(records[i].str);
      if (!m.ok()) return Status::DataLoss(fmt::format("session '{}' message {}: {}", session_id, i + 1, m.status().message()));
      session.messages.push_back(std::move(*m));
    }
    return session;
  }

  Status AppendStep(std::string_view session_id, const StepRecord& step) override {
    REAGENT_RETURN_IF_ERROR(CheckStep(step, rules()));
    if (!PlausibleId(session_id)) return SessionNotFound(session_id);
    const std::vector<std::string> owned = AppendStepArgs(core_->options(), session_id, step, core_->clock().WallNow());
    const Args args(owned.begin(), owned.end());
    REAGENT_ASSIGN_OR_RETURN(RedisReply r, core_->Run(AppendScript(), args));
    return Check(r, session_id, "AppendStep", 1);
  }

  Result<std::unique_ptr<TurnLease>> BeginTurn(std::string_view session_id) override {
    if (!PlausibleId(session_id)) return SessionNotFound(session_id);
    return BeginWhenFree(core_->clock(), rules(),
                         [&](bool& busy) { return TryBeginTurn(session_id, busy); });
  }

  Result<std::unique_ptr<TurnLease>> TryBeginTurn(std::string_view session_id, bool& busy) {
    const SessionStoreOptions& o = rules();
    const int64_t now_us = ToMicros(core_->clock().WallNow());
    const std::string lease_id = RandomId128();
    REAGENT_ASSIGN_OR_RETURN(
        RedisReply r,
        core_->Run(BeginTurnScript(),
                   {core_->prefix(), session_id, std::to_string(now_us), core_->Ttl(),
                    std::to_string(o.max_concurrent_turns_per_user), std::to_string(o.max_requests_per_window),
                    std::to_string(now_us - DurationMicros(o.request_window)), lease_id, Ms(core_->options().lease_ttl),
                    std::to_string(now_us + DurationMicros(o.max_turn_duration)), core_->TurnExpireMs(),
                    Ms(o.request_window + kExpirySlack)}));
    const std::string_view outcome = Outcome(r);
    if (outcome == "BUSY") {
      busy = true;
      return SessionBusy(session_id, o);
    }
    if (outcome == "TURNS" && r.elements.size() >= 3) {
      return TooManyTurns(r.elements[1].str, static_cast<int>(r.elements[2].AsInt()), o);
    }
    if (outcome == "WINDOW" && r.elements.size() >= 3) {
      return TooManyRequests(r.elements[1].str, WindowRetryAfter(r.elements[2].AsInt(), now_us, o), o);
    }
    REAGENT_RETURN_IF_ERROR(Check(r, session_id, "BeginTurn", 2));
    return std::unique_ptr<TurnLease>(
        std::make_unique<RedisTurnLease>(core_, lease_id, std::string(session_id), r.elements[1].str));
  }

  Status Touch(std::string_view session_id) override {
    if (!PlausibleId(session_id)) return SessionNotFound(session_id);
    REAGENT_ASSIGN_OR_RETURN(RedisReply r,
                             core_->Run(TouchScript(), {core_->prefix(), session_id, NowUs(), core_->Ttl(), core_->ExpireMs()}));
    return Check(r, session_id, "Touch", 1);
  }

  Status Delete(std::string_view session_id) override {
    if (!PlausibleId(session_id)) return SessionNotFound(session_id);
    REAGENT_ASSIGN_OR_RETURN(RedisReply r, core_->Run(DeleteScript(), {core_->prefix(), session_id, NowUs()}));
    return Check(r, session_id, "Delete", 1);
  }

  Result<std::vector<SessionInfo>> List(const ListFilter& filter) override {
    const std::string mode = filter.expired_only ? "expired" : filter.include_expired ? "all" : "live";
    REAGENT_ASSIGN_OR_RETURN(
        RedisReply r, core_->Run(ListScript(), {core_->prefix(), filter.user_id.empty() ? "" : EscapeKeyPart(filter.user_id),
                                                NowUs(), core_->Ttl(), mode, std::to_string(std::max<int64_t>(0, filter.limit))}));
    if (!r.is_array() || r.elements.size() % (1 + kFieldCount) != 0) return Unexpected("List", r);
    std::vector<SessionInfo> out;
    out.reserve(r.elements.size() / (1 + kFieldCount));
    for (size_t i = 0; i < r.elements.size(); i += 1 + kFieldCount) {
      REAGENT_ASSIGN_OR_RETURN(SessionInfo info, DecodeInfo(r.elements[i].str, r.elements, i + 1));
      out.push_back(std::move(info));
    }
    std::sort(out.begin(), out.end(), [](const SessionInfo& a, const SessionInfo& b) {
      return a.last_access != b.last_access ? a.last_access > b.last_access : a.id < b.id;
    });
    if (filter.limit > 0 && static_cast<int64_t>(out.size()) > filter.limit) out.resize(filter.limit);
    return out;
  }

  Result<std::vector<StepInfo>> Steps(std::string_view session_id) override {
    if (!PlausibleId(session_id)) return SessionNotFound(session_id);
    REAGENT_ASSIGN_OR_RETURN(RedisReply r, core_->Run(StepsScript(), {core_->prefix(), session_id}));
    REAGENT_RETURN_IF_ERROR(Check(r, session_id, "Steps", 2));
    std::vector<StepInfo> out;
    int64_t first = 0;
    for (const RedisReply& row : r.elements[1].elements) {
      auto j = ParseJson(row.str, "a stored step");
      if (!j.ok() || !j->is_object()) {
        return Status::DataLoss(fmt::format("session '{}' step {}: unreadable ledger row", session_id, out.size() + 1));
      }
      StepInfo s;
      s.step = static_cast<int64_t>(out.size()) + 1;
      s.first_message = first;
      s.message_count = j->value("n", int64_t{0});
      s.model = j->value("model", "");
      s.usage.prompt_tokens = j->value("p", int64_t{0});
      s.usage.completion_tokens = j->value("c", int64_t{0});
      s.usage.cached_tokens = j->value("k", int64_t{0});
      if (j->contains("cost") && (*j)["cost"].is_number()) s.usage.cost_usd = (*j)["cost"].get<double>();
      s.created_at = FromMicros(j->value("at", int64_t{0}));
      if (j->contains("extra")) s.extra = (*j)["extra"];
      first += s.message_count;
      out.push_back(std::move(s));
    }
    return out;
  }

  Result<std::vector<UsageTotal>> UsageTotals(UsageGrouping grouping, const UsageFilter& filter) override {
    REAGENT_ASSIGN_OR_RETURN(
        RedisReply r, core_->Run(UsageScript(), {core_->prefix(), filter.user_id.empty() ? "" : EscapeKeyPart(filter.user_id)}));
    if (!r.is_array() || r.elements.size() % 2 != 0) return Unexpected("UsageTotals", r);
    struct Row {
      int64_t steps = 0, prompt = 0, completion = 0, cached = 0, unpriced = 0;
      double cost = 0;
    };
    std::map<std::tuple<std::string, std::string, std::string>, UsageTotal> groups;
    for (size_t u = 0; u < r.elements.size(); u += 2) {
      const std::string user = UnescapeKeyPart(r.elements[u].str);
      std::map<std::pair<std::string, std::string>, Row> rows;  // (day, session)
      const std::vector<RedisReply>& kv = r.elements[u + 1].elements;
      for (size_t i = 0; i + 1 < kv.size(); i += 2) {
        const std::string& field = kv[i].str;
        const size_t a = field.find('|'), b = field.rfind('|');
        if (a == std::string::npos || b == a) continue;
        const std::string session = field.substr(a + 1, b - a - 1);
        if (!filter.session_id.empty() && session != filter.session_id) continue;
        Row& row = rows[{field.substr(0, a), session}];
        const std::string_view what = std::string_view(field).substr(b + 1);
        if (what == "n") row.steps = kv[i + 1].AsInt();
        else if (what == "pt") row.prompt = kv[i + 1].AsInt();
        else if (what == "ct") row.completion = kv[i + 1].AsInt();
        else if (what == "cached") row.cached = kv[i + 1].AsInt();
        else if (what == "u") row.unpriced = kv[i + 1].AsInt();
        else if (what == "cost") row.cost = kv[i + 1].AsDouble();
      }
      for (const auto& [day_session, row] : rows) {
        const auto& [day, session] = day_session;
        UsageTotal key;
        switch (grouping) {
          case UsageGrouping::kSession: key.session_id = session; key.user_id = user; break;
          case UsageGrouping::kUser: key.user_id = user; break;
          case UsageGrouping::kDay: key.day = day; break;
          case UsageGrouping::kUserDay: key.user_id = user; key.day = day; break;
        }
        auto [it, fresh] = groups.try_emplace({key.session_id, key.user_id, key.day}, key);
        if (fresh) it->second.usage.cost_usd = 0.0;
        it->second.steps += row.steps;
        Usage usage{row.prompt, row.completion, row.cached, std::nullopt};
        if (row.unpriced == 0) usage.cost_usd = row.cost;
        it->second.usage += usage;
      }
    }
    std::vector<UsageTotal> out;
    out.reserve(groups.size());
    for (auto& [k, total] : groups) out.push_back(std::move(total));
    return out;
  }

  Result<SweepReport> Sweep() override {
    const int64_t now_us = ToMicros(core_->clock().WallNow());
    REAGENT_ASSIGN_OR_RETURN(
        RedisReply r, core_->Run(SweepScript(), {core_->prefix(), std::to_string(now_us),
                                                 std::to_string(now_us - DurationMicros(rules().ttl)),
                                                 std::to_string(rules().max_sessions)}));
    if (!r.is_array() || r.elements.size() != 3) return Unexpected("Sweep", r);
    return SweepReport{.expired = r.elements[0].AsInt(), .evicted = r.elements[1].AsInt(),
                       .abandoned_turns = r.elements[2].AsInt()};
  }

  Result<int64_t> RunningTurns(std::string_view user_id) override {
    REAGENT_ASSIGN_OR_RETURN(RedisReply r,
                             core_->Run(RunningTurnsScript(), {core_->prefix(), EscapeKeyPart(user_id), NowUs()}));
    return r.AsInt();
  }

  const SessionStoreOptions& options() const override { return rules(); }

 private:
  const SessionStoreOptions& rules() const { return core_->rules(); }
  std::string NowUs() const { return std::to_string(ToMicros(core_->clock().WallNow())); }

  // The status a script's reply stands for; OK only with at least `elements` elements.
  static Status Check(const RedisReply& r, std::string_view session_id, std::string_view what, size_t elements) {
    const std::string_view outcome = Outcome(r);
    if (outcome == "NOTFOUND") return SessionNotFound(session_id);
    if (outcome == "EXPIRED") return SessionExpired(session_id);
    if (outcome == "INUSE") return SessionInUse(session_id);
    if (outcome != "OK" || r.elements.size() < elements) return Unexpected(what, r);
    return Status::Ok();
  }

  std::shared_ptr<RedisCore> core_;
};

// Marks the prefix as reagent's and refuses one that holds something else or a newer layout.
Status CheckLayout(RedisClient& client, const std::string& prefix) {
  static const RedisScript kLayout(R"lua(
local k = ARGV[1] .. ':meta'
local t = redis.call('TYPE', k).ok
if t ~= 'hash' and t ~= 'none' then return {'FOREIGN', t} end
redis.call('HSETNX', k, 'layout', ARGV[2])
return {'OK', redis.call('HGET', k, 'layout')}
)lua");
  REAGENT_ASSIGN_OR_RETURN(RedisReply r, client.Eval(kLayout, {}, {prefix, std::to_string(kLayoutVersion)}));
  const std::string where = "redis " + client.endpoint().Display() + " prefix \"" + prefix + "\"";
  if (Outcome(r) == "FOREIGN") {
    return Status::FailedPrecondition(where + " holds a " + r.elements[1].str + " at " + prefix +
                                      ":meta, not reagent's sessions; choose another prefix");
  }
  if (Outcome(r) != "OK" || r.elements.size() < 2) return Unexpected("the layout check", r);
  const int64_t layout = r.elements[1].AsInt(-1);
  if (layout < 1) return Status::FailedPrecondition(where + " has an unreadable layout marker");
  if (layout > kLayoutVersion) {
    return Status::FailedPrecondition(fmt::format("{} has layout version {}, newer than this reagent understands ({})",
                                                  where, layout, kLayoutVersion));
  }
  return Status::Ok();
}

}  // namespace

Status RedisSessionStoreOptions::Validate() const {
  REAGENT_RETURN_IF_ERROR(CheckRedisKeyPrefix(prefix));
  if (lease_ttl < std::chrono::milliseconds(30)) return Status::InvalidArgument("lease_ttl must be at least 30 ms");
  if (expired_retention < Duration::zero()) return Status::InvalidArgument("expired_retention must not be negative");
  if (store.ttl <= Duration::zero()) return Status::InvalidArgument("sessions ttl must be positive");
  if (store.max_sessions < 1) return Status::InvalidArgument("max_sessions must be at least 1");
  return Status::Ok();
}

int RedisSessionLayoutVersion() { return kLayoutVersion; }

Result<std::unique_ptr<SessionStore>> OpenRedisSessionStore(const RedisSessionStoreOptions& options, Clock& clock) {
  REAGENT_RETURN_IF_ERROR(options.Validate());
  REAGENT_ASSIGN_OR_RETURN(std::shared_ptr<RedisClient> client, RedisClient::Open(options.client));
  return OpenRedisSessionStore(std::move(client), options, clock);
}

Result<std::unique_ptr<SessionStore>> OpenRedisSessionStore(std::shared_ptr<RedisClient> client,
                                                            const RedisSessionStoreOptions& options, Clock& clock) {
  REAGENT_RETURN_IF_ERROR(options.Validate());
  if (!client) return Status::InvalidArgument("OpenRedisSessionStore needs a client");
  REAGENT_RETURN_IF_ERROR(CheckLayout(*client, options.prefix));
  auto core = std::make_shared<RedisCore>(std::move(client), options, clock);
  return std::unique_ptr<SessionStore>(std::make_unique<RedisSessionStore>(std::move(core)));
}

}  // namespace reagent
