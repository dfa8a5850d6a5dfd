// The SQLite store. A small pool of connections (each with its own prepared statements) lets
// readers run in parallel under WAL; every write is one BEGIN IMMEDIATE transaction, so the
// write lock is taken up front (no deadlocking lock upgrades) and a check-then-claim such as
// BeginTurn's limit check is atomic across threads and processes.
#include "reagent/session/sqlite_session_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "reagent/core/json.h"
#include "reagent/core/logging.h"
#include "reagent/core/random.h"
#include "process_identity.h"
#include "session_rules.h"
#include "sqlite_connection.h"
#include "sqlite_schema.h"

namespace reagent {
namespace {

using namespace session_internal;

// AppendStep rewrites the session row's last access only when it is older than this. The
// exact last access (the later of the row's and the latest step's) decides expiry; the row's
// own value orders least-recently-used eviction, which is thus exact to within a minute. A
// turn of fast steps writes the session row once (at BeginTurn), not once per step.
constexpr int64_t kAccessRefreshUs = 60'000'000;

// Everything a store and its leases share.
class SqliteCore {
 public:
  SqliteCore(SqliteSessionStoreOptions options, Clock& clock) : options_(std::move(options)), clock_(clock) {}

  const SqliteSessionStoreOptions& options() const { return options_; }
  const SessionStoreOptions& rules() const { return options_.store; }
  Clock& clock() { return clock_; }
  int64_t NowUs() const { return ToMicros(clock_.WallNow()); }

  // Opens and configures one connection; the first one also creates or migrates the schema.
  Result<std::unique_ptr<Connection>> OpenConnection(bool first) {
    int flags = SQLITE_OPEN_NOMUTEX |
                (options_.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    REAGENT_ASSIGN_OR_RETURN(auto conn, Connection::Open(options_.path, flags));
    sqlite3_busy_timeout(conn->db(), static_cast<int>(DurationMicros(options_.busy_timeout) / 1000));
    if (!options_.read_only && sqlite3_db_readonly(conn->db(), "main") == 1) {
      return Status::FailedPrecondition("session database " + options_.path +
                                        " is read-only (no write permission); open it with read_only");
    }
    std::string sync = options_.synchronous == SqliteSync::kFull ? "FULL" : "NORMAL";
    if (!options_.read_only) {
      REAGENT_ASSIGN_OR_RETURN(std::string mode, conn->QueryText("PRAGMA journal_mode = WAL", "enabling WAL"));
      if (mode != "wal") {
        return Status::FailedPrecondition("session database " + options_.path +
                                          " cannot use WAL journaling (journal_mode is '" + mode + "')");
      }
    }
    REAGENT_RETURN_IF_ERROR(conn->Exec("PRAGMA synchronous = " + sync + "; PRAGMA foreign_keys = ON",
                                       "setting pragmas"));
    if (first) {
      REAGENT_RETURN_IF_ERROR(EnsureSchema(*conn, options_.read_only));
      if (options_.verify_on_open) {
        REAGENT_ASSIGN_OR_RETURN(std::string check, conn->QueryText("PRAGMA quick_check", "checking integrity"));
        if (check != "ok") {
          return Status::DataLoss("session database " + options_.path + " is corrupt (quick_check: " + check + ")");
        }
      }
    }
    if (options_.max_db_bytes > 0) {
      REAGENT_ASSIGN_OR_RETURN(std::string page, conn->QueryText("PRAGMA page_size", "reading the page size"));
      int64_t pages = std::max<int64_t>(1, options_.max_db_bytes / std::max<int64_t>(1, std::stoll(page)));
      REAGENT_RETURN_IF_ERROR(conn->Exec("PRAGMA max_page_count = " + std::to_string(pages), "bounding the size"));
    }
    return conn;
  }

  // A connection from the pool, returned on destruction.
  class Borrowed {
   public:
    Borrowed(SqliteCore* core, std::unique_ptr<Connection> conn) : core_(core), conn_(std::move(conn)) {}
    Borrowed(Borrowed&&) = default;
    ~Borrowed() {
      if (conn_) core_->Return(std::move(conn_));
    }
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }

   private:
    SqliteCore* core_;
    std::unique_ptr<Connection> conn_;
  };

  Result<Borrowed> Borrow() {
    std::unique_lock lock(mu_);
    while (true) {
      if (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        return Borrowed(this, std::move(conn));
      }
      if (open_ < std::max(1, options_.max_connections)) {
        ++open_;
        lock.unlock();
        auto conn = OpenConnection(/*first=*/false);
        if (!conn.ok()) {
          std::lock_guard relock(mu_);
          --open_;
          return conn.status();
        }
        return Borrowed(this, std::move(*conn));
      }
      returned_.wait(lock);
    }
  }

  void Adopt(std::unique_ptr<Connection> conn) {
    std::lock_guard lock(mu_);
    ++open_;
    idle_.push_back(std::move(conn));
  }

  // Lease ids whose release failed (a busy database); retried before the next write.
  void DeferRelease(std::string lease_id) {
    std::lock_guard lock(mu_);
    deferred_releases_.push_back(std::move(lease_id));
  }

  // Releases leases whose earlier release failed. Call inside a write transaction.
  Status FlushDeferredReleases(Connection& conn) {
    std::vector<std::string> ids;
    {
      std::lock_guard lock(mu_);
      ids.swap(deferred_releases_);
    }
    for (const std::string& id : ids) {
      REAGENT_ASSIGN_OR_RETURN(Statement del, conn.Get(Sql::kDeleteLease));
      REAGENT_RETURN_IF_ERROR(del.Bind(1, id).Run());
    }
    return Status::Ok();
  }

 private:
  void Return(std::unique_ptr<Connection> conn) {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(conn));
    returned_.notify_one();
  }

  const SqliteSessionStoreOptions options_;
  Clock& clock_;
  std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;
  std::vector<std::string> deferred_releases_;
};

class SqliteTurnLease final : public TurnLease {
 public:
  SqliteTurnLease(std::shared_ptr<SqliteCore> core, std::string lease_id, std::string session_id, std::string user_id)
      : core_(std::move(core)), lease_id_(std::move(lease_id)), session_id_(std::move(session_id)),
        user_id_(std::move(user_id)) {}

  ~SqliteTurnLease() override {
    Status s = Release();
    if (!s.ok()) {
      Logger()->warn("releasing the turn on session {} failed, will retry: {}", session_id_, s.ToString());
      core_->DeferRelease(lease_id_);
    }
  }
  const std::string& session_id() const override { return session_id_; }
  const std::string& user_id() const override { return user_id_; }

 private:
  Status Release() {
    REAGENT_ASSIGN_OR_RETURN(auto conn, core_->Borrow());
    REAGENT_ASSIGN_OR_RETURN(Statement del, conn->Get(Sql::kDeleteLease));
    return del.Bind(1, lease_id_).Run();  // autocommit: its own transaction
  }

  std::shared_ptr<SqliteCore> core_;
  std::string lease_id_, session_id_, user_id_;
};

// A sessions row with its latest step, as selected by kSelectSession (columns from `first`)
// or kListSessions (SESSION_SUMMARY in sqlite_connection.cc).
SessionInfo ReadInfo(const Statement& row, int first) {
  SessionInfo info;
  info.user_id = row.Text(first);
  info.created_at = FromMicros(row.Int(first + 1));
  info.last_access = FromMicros(row.Int(first + 2));
  info.step_count = row.Int(first + 3);
  info.message_count = row.Int(first + 4);
  info.usage.prompt_tokens = row.Int(first + 5);
  info.usage.completion_tokens = row.Int(first + 6);
  info.usage.cached_tokens = row.Int(first + 7);
  if (row.Int(first + 9) == 0) info.usage.cost_usd = row.Double(first + 8);
  std::string_view metadata_text = row.TextView(first + 10);
  if (metadata_text != "null") {  // most sessions carry none: skip the parser
    auto metadata = ParseJson(metadata_text, "session metadata");
    info.metadata = metadata.ok() ? std::move(*metadata) : nlohmann::json();
  }
  return info;
}

// What a write needs beyond the summary.
struct SessionRow {
  SessionInfo info;
  double priced_cost = 0;     // over the priced steps (info.usage.cost_usd is unknown once one was not)
  int64_t unpriced_steps = 0;
  int64_t row_access_us = 0;  // the sessions row's own last_access (info.last_access is the exact one)
};

SessionRow ReadRow(const Statement& row, int first) {
  SessionRow r{.info = ReadInfo(row, first)};
  r.priced_cost = row.Double(first + 8);
  r.unpriced_steps = row.Int(first + 9);
  r.row_access_us = row.Int(first + 11);
  return r;
}

class SqliteSessionStore final : public SessionStore {
 public:
  explicit SqliteSessionStore(std::shared_ptr<SqliteCore> core) : core_(std::move(core)) {}

  Result<SessionInfo> Create(std::string_view user_id, nlohmann::json metadata) override {
    REAGENT_RETURN_IF_ERROR(CheckUserId(user_id));
    REAGENT_RETURN_IF_ERROR(CheckMetadata(metadata));
    REAGENT_ASSIGN_OR_RETURN(auto conn, core_->Borrow());
    REAGENT_ASSIGN_OR_RETURN(Transaction txn, BeginWrite(*conn));
    WallTime now = core_->clock().WallNow();
    int64_t now_us = ToMicros(now);
    REAGENT_ASSIGN_OR_RETURN(int64_t count, CountSessions(*conn));
    if (count >= rules().max_sessions) {
      REAGENT_ASSIGN_OR_RETURN(int64_t reaped, ReapLeases(*conn, Sql::kAllLeases, "", now_us));
      (void)reaped;
      REAGENT_RETURN_IF_ERROR(EvictLru(*conn, count - (rules().max_sessions - 1), now_us).status());
    }
    SessionInfo info{.id = RandomId128(), .user_id = std::string(user_id), .created_at = now,
                     .last_access = now, .metadata = std::move(metadata)};
    info.usage.cost_usd = 0.0;
    REAGENT_ASSIGN_OR_RETURN(Statement insert, conn->Get(Sql::kInsertSession));
    REAGENT_RETURN_IF_ERROR(
        insert.Bind(1, info.id).Bind(2, info.user_id).Bind(3, now_us).Bind(4, DumpJson(info.metadata)).Run());
    REAGENT_RETURN_IF_ERROR(txn.Commit());
    return info;
  }

  Result<SessionInfo> GetInfo(std::string_view session_id) override {
    REAGENT_ASSIGN_OR_RETURN(auto conn, core_->Borrow());
    REAGENT_ASSIGN_OR_RETURN(SessionRow row, FindVisible(*conn, session_id, core_->NowUs()));
    return std::move(row.info);
  }

  Result<Session> Load(std::string_view session_id) override {
    REAGENT_ASSIGN_OR_RETURN(auto conn, core_->Borrow());
    REAGENT_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*conn, /*write=*/false));
    Session session;
    {
      REAGENT_ASSIGN_OR_RETURN(SessionRow row, FindVisible(*conn, session_id, core_->NowUs()));
      session.info = std::move(row.info);
    }
    REAGENT_ASSIGN_OR_RETURN(Statement rows, conn->Get(Sql::kSelectMessages));
    rows.Bind(1, session_id);
    session.messages.reserve(static_cast<size_t>(session.info.message_count));
    while (true) {
      REAGENT_ASSIGN_OR_RETURN(bool more, rows.Step());
      if (!more) break;
      REAGENT_ASSIGN_OR_RETURN(Message m, ReadMessage(rows, session_id, session.messages.size()));
      session.messages.push_back(std::move(m));
    }
    REAGENT_RETURN_IF_ERROR(txn.Commit());
    return session;
  }

  Status AppendStep(std::string_view session_id, const StepRecord& step) override {
    REAGENT_RETURN_IF_ERROR(CheckStep(step, rules()));
    REAGENT_ASSIGN_OR_RETURN(auto conn, core_->Borrow());
    REAGENT_ASSIGN_OR_RETURN(Transaction txn, BeginWrite(*conn));
    WallTime now = core_->clock().WallNow();
    int64_t now_us = ToMicros(now);
    REAGENT_ASSIGN_OR_RETURN(SessionRow row, FindVisible(*conn, session_id, now_us));
    const SessionInfo& info = row.info;
    // Three pages in the common case: the ledger row (with the session's new totals) in the
    // session's leaf, its user/day index entry, and the messages at the end of their table.
    const int64_t step_no = info.step_count + 1;
    int64_t first_id = 0;
    if (!step.messages.empty()) {
      REAGENT_ASSIGN_OR_RETURN(Statement next, conn->Get(Sql::kNextMessageId));
      REAGENT_ASSIGN_OR_RETURN(bool found, next.Step());
      first_id = found ? next.Int(0) : 1;
    }
    {
      const Usage& total = info.usage;
      const double total_cost = row.priced_cost + step.usage.cost_usd.value_or(0.0);
      REAGENT_ASSIGN_OR_RETURN(Statement insert, conn->Get(Sql::kInsertStep));
      insert.Bind(1, session_id).Bind(2, step_no).Bind(3, info.user_id).Bind(4, info.message_count);
      insert.Bind(5, static_cast<int64_t>(step.messages.size())).Bind(6, step.model);
      insert.Bind(7, step.usage.prompt_tokens).Bind(8, step.usage.completion_tokens);
      insert.Bind(9, step.usage.cached_tokens).Bind(11, now_us).Bind(12, UtcDay(now));
      if (step.usage.cost_usd) insert.Bind(10, *step.usage.cost_usd);
      if (!step.extra.is_null()) insert.Bind(13, DumpJson(step.extra));
      if (!step.messages.empty()) insert.Bind(14, first_id);
      insert.Bind(15, total.prompt_tokens + step.usage.prompt_tokens);
      insert.Bind(16, total.completion_tokens + step.usage.completion_tokens);
      insert.Bind(17, total.cached_tokens + step.usage.cached_tokens).Bind(18, total_cost);
      insert.Bind(19, row.unpriced_steps + (step.usage.cost_usd ? 0 : 1));
      REAGENT_RETURN_IF_ERROR(insert.Run());
    }
    for (size_t i = 0; i < step.messages.size(); ++i) {
      const Message& m = step.messages[i];
      REAGENT_ASSIGN_OR_RETURN(Statement insert, conn->Get(Sql::kInsertMessage));
      insert.Bind(1, session_id).Bind(2, info.message_count + static_cast<int64_t>(i)).Bind(3, step_no);
      insert.Bind(4, info.user_id).Bind(5, RoleName(m.role)).Bind(6, m.content).Bind(7, m.name);
      insert.Bind(8, m.tool_call_id).Bind(11, now_us).Bind(12, first_id + static_cast<int64_t>(i));
      if (!m.tool_calls.empty()) insert.Bind(9, DumpJson(nlohmann::json(m.tool_calls)));
      if (!step.message_tokens.empty()) insert.Bind(10, step.message_tokens[i]);
      REAGENT_RETURN_IF_ERROR(insert.Run());
    }
    if (now_us - row.row_access_us > kAccessRefreshUs) {
      REAGENT_ASSIGN_OR_RETURN(Statement touch, conn->Get(Sql::kTouch));
      REAGENT_RETURN_IF_ERROR(touch.Bind(1, session_id).Bind(2, now_us).Run());
    }
    return txn.Commit();
  }

  Result<std::unique_ptr<TurnLease>> BeginTurn(std::string_view session_id) override {
    return BeginWhenFree(core_->clock(), rules(),
                         [&](bool& busy) { return TryBeginTurn(session_id, busy); });
  }

  Result<std::unique_ptr<TurnLease>> TryBeginTurn(std::string_view session_id, bool& busy) {
    REAGENT_ASSIGN_OR_RETURN(auto conn, core_->Borrow());
    REAGENT_ASSIGN_OR_RETURN(Transaction txn, BeginWrite(*conn));
    const SessionStoreOptions& o = rules();
    int64_t now_us = core_->NowUs();
    REAGENT_ASSIGN_OR_RETURN(SessionRow session, FindVisible(*conn, session_id, now_us));
    // One turn per session: checked in the same write transaction that inserts the lease, so
    // two processes cannot both see the session free.
    REAGENT_ASSIGN_OR_RETURN(int64_t on_session, ReapLeases(*conn, Sql::kSessionLeases, session_id, now_us));
    if (on_session > 0) {
      REAGENT_RETURN_IF_ERROR(txn.Commit());
      busy = true;
      return SessionBusy(session_id, o);
    }
    const std::string& user = session.info.user_id;
    REAGENT_ASSIGN_OR_RETURN(int64_t running, ReapLeases(*conn, Sql::kUserLeases, user, now_us));
    if (o.max_concurrent_turns_per_user > 0 && running >= o.max_concurrent_turns_per_user) {
      REAGENT_RETURN_IF_ERROR(txn.Commit());  // keep what the reaping released
      return TooManyTurns(user, static_cast<int>(running), o);
    }
    {
      REAGENT_ASSIGN_OR_RETURN(Statement prune, conn->Get(Sql::kPruneRequests));
      REAGENT_RETURN_IF_ERROR(prune.Bind(1, user).Bind(2, now_us - DurationMicros(o.request_window)).Run());
    }
    if (o.max_requests_per_window > 0) {
      REAGENT_ASSIGN_OR_RETURN(Statement window, conn->Get(Sql::kWindowRequests));
      window.Bind(1, user);
      REAGENT_ASSIGN_OR_RETURN(bool row, window.Step());
      if (row && window.Int(0) >= o.max_requests_per_window) {
        double retry = WindowRetryAfter(window.Int(1), now_us, o);
        REAGENT_RETURN_IF_ERROR(txn.Commit());
        return TooManyRequests(user, retry, o);
      }
    }
    std::string lease_id = RandomId128();
    ProcessIdentity me = CurrentProcess();
    {
      REAGENT_ASSIGN_OR_RETURN(Statement request, conn->Get(Sql::kInsertRequest));
      REAGENT_RETURN_IF_ERROR(request.Bind(1, user).Bind(2, now_us).Run());
      REAGENT_ASSIGN_OR_RETURN(Statement lease, conn->Get(Sql::kInsertLease));
      lease.Bind(1, lease_id).Bind(2, session_id).Bind(3, user).Bind(4, me.pid).Bind(5, me.start_ticks);
      REAGENT_RETURN_IF_ERROR(lease.Bind(6, now_us).Run());
      REAGENT_ASSIGN_OR_RETURN(Statement touch, conn->Get(Sql::kTouch));
      REAGENT_RETURN_IF_ERROR(touch.Bind(1, session_id).Bind(2, now_us).Run());
    }
    REAGENT_RETURN_IF_ERROR(txn.Commit());
    return std::unique_ptr<TurnLease>(
        std::make_unique<SqliteTurnLease>(core_, std::move(lease_id), std::string(session_id), user));
  }

  Status Touch(std::string_view session_id) override {
    REAGENT_ASSIGN_OR_RETURN(auto conn, core_->Borrow());
    REAGENT_ASSIGN_OR_RETURN(Transaction txn, BeginWrite(*conn));
    int64_t now_us = core_->NowUs();
    REAGENT_RETURN_IF_ERROR(FindVisible(*conn, session_id, now_us).status());
    REAGENT_ASSIGN_OR_RETURN(Statement touch, conn->Get(Sql::kTouch));
    REAGENT_RETURN_IF_ERROR(touch.Bind(1, session_id).Bind(2, now_us).Run());
    return txn.Commit();
  }

  Status Delete(std::string_view session_id) override {
    REAGENT_ASSIGN_OR_RETURN(auto conn, core_->Borrow());
    REAGENT_ASSIGN_OR_RETURN(Transaction txn, BeginWrite(*conn));
    int64_t now_us = core_->NowUs();
    REAGENT_ASSIGN_OR_RETURN(auto row, FindRow(*conn, session_id));
    if (!row) return SessionNotFound(session_id);
    REAGENT_ASSIGN_OR_RETURN(int64_t live, ReapLeases(*conn, Sql::kSessionLeases, session_id, now_us));
    if (live > 0) return SessionInUse(session_id);
    REAGENT_ASSIGN_OR_RETURN(Statement del, conn->Get(Sql::kDeleteSession));
    REAGENT_RETURN_IF_ERROR(del.Bind(1, session_id).Run());
    return txn.Commit();
  }

  Result<std::vector<SessionInfo>> List(const ListFilter& filter) override {
    REAGENT_ASSIGN_OR_RETURN(auto conn, core_->Borrow());
    REAGENT_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*conn, /*write=*/false));
    int64_t now_us = core_->NowUs();
    std::vector<SessionInfo> out;
    std::vector<std::string> expired_candidates;
    {
      REAGENT_ASSIGN_OR_RETURN(Statement rows, conn->Get(Sql::kListSessions));
      rows.Bind(1, filter.user_id);
      while (true) {
        REAGENT_ASSIGN_OR_RETURN(bool more, rows.Step());
        if (!more) break;
        SessionInfo info = ReadInfo(rows, 1);
        info.id = rows.Text(0);
        out.push_back(std::move(info));
      }
    }
    std::vector<SessionInfo> kept;
    for (SessionInfo& info : out) {
      bool expired = false;
      if (IsExpired(ToMicros(info.last_access), now_us, rules())) {
        REAGENT_ASSIGN_OR_RETURN(int64_t live, LiveLeases(*conn, info.id, now_us));
        expired = live == 0;
      }
      if (filter.expired_only ? !expired : (expired && !filter.include_expired)) continue;
      kept.push_back(std::move(info));
      if (filter.limit > 0 && static_cast<int64_t>(kept.size()) >= filter.limit) break;
    }
    REAGENT_RETURN_IF_ERROR(txn.Commit());
    return kept;
  }

  Result<std::vector<StepInfo>> Steps(std::string_view session_id) override {
    REAGENT_ASSIGN_OR_RETURN(auto conn, core_->Borrow());
    REAGENT_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*conn, /*write=*/false));
    REAGENT_ASSIGN_OR_RETURN(auto exists, FindRow(*conn, session_id));
    if (!exists) return SessionNotFound(session_id);
    std::vector<StepInfo> out;
    REAGENT_ASSIGN_OR_RETURN(Statement rows, conn->Get(Sql::kSelectSteps));
    rows.Bind(1, session_id);
    while (true) {
      REAGENT_ASSIGN_OR_RETURN(bool more, rows.Step());
      if (!more) break;
      StepInfo s{.step = rows.Int(0), .first_message = rows.Int(1), .message_count = rows.Int(2),
                 .model = rows.Text(3), .created_at = FromMicros(rows.Int(8))};
      s.usage = {rows.Int(4), rows.Int(5), rows.Int(6), std::nullopt};
      if (!rows.IsNull(7)) s.usage.cost_usd = rows.Double(7);
      if (!rows.IsNull(9)) s.extra = ParseJson(rows.TextView(9), "step extra").value_or(nlohmann::json());
      out.push_back(std::move(s));
    }
    return out;
  }

  Result<std::vector<UsageTotal>> UsageTotals(UsageGrouping grouping, const UsageFilter& filter) override {
    static constexpr Sql kByGrouping[] = {Sql::kUsageBySession, Sql::kUsageByUser, Sql::kUsageByDay,
                                          Sql::kUsageByUserDay};
    REAGENT_ASSIGN_OR_RETURN(auto conn, core_->Borrow());
    REAGENT_ASSIGN_OR_RETURN(Statement rows, conn->Get(kByGrouping[static_cast<int>(grouping)]));
    rows.Bind(1, filter.user_id).Bind(2, filter.session_id);
    std::vector<UsageTotal> out;
    while (true) {
      REAGENT_ASSIGN_OR_RETURN(bool more, rows.Step());
      if (!more) break;
      UsageTotal t{.session_id = rows.Text(0), .user_id = rows.Text(1), .day = rows.Text(2), .steps = rows.Int(3)};
      t.usage = {rows.Int(4), rows.Int(5), rows.Int(6), std::nullopt};
      if (rows.Int(8) == 0) t.usage.cost_usd = rows.Double(7);
      out.push_back(std::move(t));
    }
    return out;
  }

  Result<SweepReport> Sweep() override {
    REAGENT_ASSIGN_OR_RETURN(auto conn, core_->Borrow());
    REAGENT_ASSIGN_OR_RETURN(Transaction txn, BeginWrite(*conn));
    int64_t now_us = core_->NowUs();
    SweepReport report;
    REAGENT_ASSIGN_OR_RETURN(int64_t before, CountLeases(*conn));
    REAGENT_ASSIGN_OR_RETURN(int64_t live, ReapLeases(*conn, Sql::kAllLeases, "", now_us));
    report.abandoned_turns = before - live;
    {
      REAGENT_ASSIGN_OR_RETURN(Statement purge, conn->Get(Sql::kPurgeExpired));
      purge.Bind(1, now_us - DurationMicros(rules().ttl)).Bind(2, LeaseCutoff(now_us));
      REAGENT_RETURN_IF_ERROR(purge.Run());
      report.expired = sqlite3_changes64(conn->db());
    }
    REAGENT_ASSIGN_OR_RETURN(int64_t count, CountSessions(*conn));
    REAGENT_ASSIGN_OR_RETURN(report.evicted, EvictLru(*conn, count - rules().max_sessions, now_us));
    REAGENT_RETURN_IF_ERROR(txn.Commit());
    return report;
  }

  Result<int64_t> RunningTurns(std::string_view user_id) override {
    REAGENT_ASSIGN_OR_RETURN(auto conn, core_->Borrow());
    return CountLive(*conn, Sql::kUserLeases, user_id, core_->NowUs(), nullptr);
  }

  const SessionStoreOptions& options() const override { return core_->rules(); }

 private:
  const SessionStoreOptions& rules() const { return core_->rules(); }
  int64_t LeaseCutoff(int64_t now_us) const { return now_us - DurationMicros(rules().max_turn_duration); }

  Result<Transaction> BeginWrite(Connection& conn) {
    if (core_->options().read_only) {
      return Status::FailedPrecondition("session database " + conn.path() + " was opened read-only");
    }
    REAGENT_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(conn, /*write=*/true));
    REAGENT_RETURN_IF_ERROR(core_->FlushDeferredReleases(conn));
    return txn;
  }

  // The session row with its latest step, or nullopt when there is none.
  Result<std::optional<SessionRow>> FindRow(Connection& conn, std::string_view session_id) {
    REAGENT_ASSIGN_OR_RETURN(Statement select, conn.Get(Sql::kSelectSession));
    select.Bind(1, session_id);
    REAGENT_ASSIGN_OR_RETURN(bool found, select.Step());
    if (!found) return std::optional<SessionRow>();
    SessionRow row = ReadRow(select, 0);
    row.info.id = std::string(session_id);
    return std::optional<SessionRow>(std::move(row));
  }

  // The session when it exists and has not expired (a running turn keeps it alive).
  Result<SessionRow> FindVisible(Connection& conn, std::string_view session_id, int64_t now_us) {
    REAGENT_ASSIGN_OR_RETURN(auto row, FindRow(conn, session_id));
    if (!row) return SessionNotFound(session_id);
    if (IsExpired(ToMicros(row->info.last_access), now_us, rules())) {
      REAGENT_ASSIGN_OR_RETURN(int64_t live, LiveLeases(conn, session_id, now_us));
      if (live == 0) return SessionExpired(session_id);
    }
    return std::move(*row);
  }

  Result<int64_t> LiveLeases(Connection& conn, std::string_view session_id, int64_t now_us) {
    return CountLive(conn, Sql::kSessionLeases, session_id, now_us, nullptr);
  }

  // Counts the live leases selected by `which` (bound to key); collects the dead or overrun
  // ones into `dead` when given.
  Result<int64_t> CountLive(Connection& conn, Sql which, std::string_view key, int64_t now_us,
                            std::vector<std::string>* dead) {
    REAGENT_ASSIGN_OR_RETURN(Statement rows, conn.Get(which));
    if (which != Sql::kAllLeases) rows.Bind(1, key);
    int64_t live = 0;
    while (true) {
      REAGENT_ASSIGN_OR_RETURN(bool more, rows.Step());
      if (!more) break;
      bool alive = rows.Int(3) > LeaseCutoff(now_us) && ProcessAlive({rows.Int(1), rows.Int(2)});
      if (alive) {
        ++live;
      } else if (dead != nullptr) {
        dead->push_back(rows.Text(0));
      }
    }
    return live;
  }

  // Deletes the dead or overrun leases among those selected; returns how many stay live.
  // Call inside a write transaction.
  Result<int64_t> ReapLeases(Connection& conn, Sql which, std::string_view key, int64_t now_us) {
    std::vector<std::string> dead;
    REAGENT_ASSIGN_OR_RETURN(int64_t live, CountLive(conn, which, key, now_us, &dead));
    for (const std::string& id : dead) {
      REAGENT_ASSIGN_OR_RETURN(Statement del, conn.Get(Sql::kDeleteLease));
      REAGENT_RETURN_IF_ERROR(del.Bind(1, id).Run());
    }
    return live;
  }

  Result<int64_t> CountSessions(Connection& conn) {
    REAGENT_ASSIGN_OR_RETURN(Statement count, conn.Get(Sql::kCountSessions));
    REAGENT_ASSIGN_OR_RETURN(bool row, count.Step());
    return row ? count.Int(0) : int64_t{0};
  }

  Result<int64_t> CountLeases(Connection& conn) {
    int64_t n = 0;
    REAGENT_ASSIGN_OR_RETURN(Statement rows, conn.Get(Sql::kAllLeases));
    while (true) {
      REAGENT_ASSIGN_OR_RETURN(bool more, rows.Step());
      if (!more) return n;
      ++n;
    }
  }

  // Evicts up to `excess` least recently used sessions without a live lease. Reap dead
  // leases first, so a dead process's turn does not pin its session.
  Result<int64_t> EvictLru(Connection& conn, int64_t excess, int64_t now_us) {
    if (excess <= 0) return int64_t{0};
    REAGENT_ASSIGN_OR_RETURN(Statement evict, conn.Get(Sql::kEvictLru));
    REAGENT_RETURN_IF_ERROR(evict.Bind(1, LeaseCutoff(now_us)).Bind(2, excess).Run());
    return static_cast<int64_t>(sqlite3_changes64(conn.db()));
  }

  static Result<Message> ReadMessage(const Statement& row, std::string_view session_id, size_t index) {
    auto where = [&] {
      return "message " + std::to_string(index) + " of session '" + std::string(session_id) + "'";
    };
    Message m;
    auto role = ParseRole(row.TextView(0));
    if (!role.ok()) return Status::DataLoss(where() + " has an unknown role: " + role.status().message());
    m.role = *role;
    m.content = row.Text(1);
    m.name = row.Text(2);
    m.tool_call_id = row.Text(3);
    if (!row.IsNull(4)) {
      auto calls = ParseJson(row.TextView(4), where());
      if (!calls.ok()) return Status::DataLoss(calls.status().message());
      try {
        m.tool_calls = calls->get<std::vector<ToolCall>>();
      } catch (const nlohmann::json::exception& e) {
        return Status::DataLoss(where() + " has malformed tool_calls: " + e.what());
      }
    }
    return m;
  }

  std::shared_ptr<SqliteCore> core_;
};

// Refuses what SQLite would accept silently or report vaguely: a missing file when it must
// exist, a directory, a file whose mode says read-only (root could otherwise write it anyway).
Status CheckPath(const SqliteSessionStoreOptions& options) {
  struct stat st {};
  if (stat(options.path.c_str(), &st) != 0) {
    if (!options.create_if_missing || options.read_only) {
      return Status::NotFound("no session database at " + options.path);
    }
    return Status::Ok();
  }
  if (S_ISDIR(st.st_mode)) return Status::FailedPrecondition(options.path + " is a directory, not a session database");
  if (!options.read_only && (st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0) {
    return Status::FailedPrecondition("session database " + options.path +
                                      " is read-only (file mode has no write permission); "
                                      "make it writable or open it read-only");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<SessionStore>> OpenSqliteSessionStore(const SqliteSessionStoreOptions& options, Clock& clock) {
  REAGENT_RETURN_IF_ERROR(CheckPath(options));
  auto core = std::make_shared<SqliteCore>(options, clock);
  REAGENT_ASSIGN_OR_RETURN(auto first, core->OpenConnection(/*first=*/true));
  core->Adopt(std::move(first));
  return std::unique_ptr<SessionStore>(std::make_unique<SqliteSessionStore>(std::move(core)));
}

int SqliteSessionSchemaVersion() { return kSchemaVersion; }

}  // namespace reagent
