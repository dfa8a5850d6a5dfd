#include "turn_runner.h"

#include <algorithm>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "history_text.h"
#include "reagent/agent/history_trimmer.h"
#include "reagent/agent/react_protocol.h"
#include "reagent/core/logging.h"

namespace reagent {
namespace {

constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max() / 4;

std::string Categories(const ScanResult& scan) {
  std::string out;
  for (const std::string& c : scan.categories) {
    if (!out.empty()) out += ", ";
    out += c;
  }
  return out.empty() ? "unspecified" : out;
}

std::string UtcDay(WallTime t) {
  const std::time_t secs = static_cast<std::time_t>(ToUnixSeconds(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

}  // namespace

TurnRunner::TurnRunner(const AgentOptions& options, const AgentDeps& deps,
                       const AgentShared& shared, std::string session_id,
                       AgentObserver* observer, CancellationToken cancel)
    : options_(options),
      deps_(deps),
      shared_(shared),
      session_id_(std::move(session_id)),
      observer_(observer),
      cancel_(std::move(cancel)),
      clock_(*shared.clock),
      budget_(BudgetLimits{.max_tokens = options.budget.max_tokens,
                           .max_cost_usd = options.budget.max_cost_usd,
                           .max_steps = shared.max_steps,
                           .deadline = options.budget.deadline},
              *shared.clock, options.warn_at),
      nonce_(Sanitizer::NewNonce()) {
  result_.usage.cost_usd = 0.0;  // known (zero) until an unpriced call makes it unknown
}

void TurnRunner::Emit(AgentEvent event) const {
  if (observer_) observer_->OnEvent(event);
}

void TurnRunner::EmitWarnings(const std::vector<BudgetWarning>& warnings) {
  for (const BudgetWarning& w : warnings) {
    AgentEvent e{.kind = AgentEvent::Kind::kBudgetWarning, .step = budget_.steps()};
    e.warning = w;
    e.text = fmt::format("{} {} budget {:.0f}% used ({:g} of {:g})", w.scope,
                         BudgetDimensionName(w.dimension), w.fraction * 100, w.spent, w.limit);
    Emit(std::move(e));
  }
}

void TurnRunner::RecordScan(const ScanResult& scan, const std::string& source) {
  if (scan.findings.empty()) return;
  result_.findings.insert(result_.findings.end(), scan.findings.begin(), scan.findings.end());
  AgentEvent e{.kind = AgentEvent::Kind::kSanitizerFinding, .step = budget_.steps()};
  e.source = source;
  e.verdict = scan.verdict;
  e.findings = scan.findings;
  e.text = fmt::format("{}: {} (score {:.2f}: {})", source, VerdictName(scan.verdict), scan.score,
                       Categories(scan));
  Emit(std::move(e));
}

void TurnRunner::Push(Message m) {
  const int64_t tokens = shared_.counter->CountMessage(m);
  conv_tokens_.push_back(tokens);
  conv_tokens_total_ += tokens;
  conv_.push_back(std::move(m));
}

void TurnRunner::PopLast() {
  window_.Reset();
  conv_tokens_total_ -= conv_tokens_.back();
  conv_tokens_.pop_back();
  conv_.pop_back();
}

void TurnRunner::SetMessage(size_t index, Message m) {
  window_.Reset();
  const int64_t tokens = shared_.counter->CountMessage(m);
  conv_tokens_total_ += tokens - conv_tokens_[index];
  conv_tokens_[index] = tokens;
  conv_[index] = std::move(m);
}

void TurnRunner::Stop(StopReason reason, std::string detail) {
  if (stopped_) return;
  stopped_ = true;
  result_.stop_reason = reason;
  result_.stop_detail = std::move(detail);
}

std::optional<std::string> TurnRunner::HistoryScan(std::string_view content, size_t index,
                                                   const Prescans* known) {
  if (!options_.sanitize_history || content.empty()) return std::nullopt;
  const auto [begin, end] = HistoryText(content);
  const std::string_view text = content.substr(begin, end - begin);
  const auto it = known ? known->find(text) : Prescans::const_iterator{};
  const PrescannedText* prescanned = known && it != known->end() ? it->second : nullptr;
  if (prescanned && !prescanned->history) return std::nullopt;  // judged and allowed
  ScanResult scan = prescanned ? *prescanned->history : deps_.sanitizer->Scan(text, TextSource::kHistory);
  if (scan.verdict == Verdict::kAllow) return std::nullopt;
  // Findings are reported in the message's own offsets; a redacted tool output stays wrapped.
  for (Finding& f : scan.findings) {
    f.start += begin;
    f.end += begin;
  }
  std::string replacement =
      scan.verdict == Verdict::kBlock
          ? "[message removed from the history by the injection filter]"
          : std::string(content.substr(0, begin)) + scan.cleaned + std::string(content.substr(end));
  history_findings_.emplace_back(index, std::move(scan));
  return replacement;
}

void TurnRunner::LoadHistory(Session& session) {
  conv_.reserve(session.messages.size() + 1);
  conv_tokens_.reserve(session.messages.size() + 1);
  Push(Message::System(shared_.system_prompt));
  for (Message& stored : session.messages) {
    if (stored.role == Role::kSystem) continue;  // system prompts are rebuilt every turn
    if (auto replacement = HistoryScan(stored.content, conv_.size())) stored.content = std::move(*replacement);
    Push(std::move(stored));
  }
  for (const auto& [index, scan] : history_findings_) RecordScan(scan, "history");
}

void TurnRunner::AdoptHistory(CachedHistory cached) {
  conv_ = std::move(cached.messages);
  conv_tokens_ = std::move(cached.tokens);
  conv_tokens_total_ = 0;
  for (int64_t t : conv_tokens_) conv_tokens_total_ += t;
  history_findings_ = std::move(cached.findings);
  // What this agent wrote in the session's last turn enters the history now, scanned as a
  // fresh load would scan it; everything before passed that scan in an earlier turn. Its tool
  // outputs were scanned from the history when they were scanned as a tool's.
  Prescans known;
  for (const PrescannedText& p : cached.prescanned) known.emplace(p.text, &p);
  for (size_t i = cached.scanned; i < conv_.size(); ++i) {
    if (auto replacement = HistoryScan(conv_.view()[i].content, i, &known)) {
      Message m = conv_.view()[i];
      m.content = std::move(*replacement);
      SetMessage(i, std::move(m));
    }
  }
  for (const auto& [index, scan] : history_findings_) RecordScan(scan, "history");
}

void TurnRunner::KeepHistory(bool verify) {
  if (!shared_.history_cache || commit_failed_ || committed_ != conv_.size()) return;
  const auto appended = static_cast<int64_t>(conv_.size() - history_end_);
  int64_t stored = stored_at_start_;
  if (verify && appended > 0) {
    // Another writer in between would have interleaved its messages with these: keep the
    // conversation only when the store holds exactly the history plus this turn's messages.
    auto info = deps_.sessions->GetInfo(session_id_);
    if (!info.ok() || info->message_count != stored_at_start_ + appended) return;
    stored = info->message_count;
  }
  CachedHistory kept{.messages = std::move(conv_), .tokens = std::move(conv_tokens_),
                     .scanned = history_end_, .stored_messages = stored,
                     .findings = std::move(history_findings_),
                     .prescanned = std::move(prescanned_)};
  shared_.history_cache->Put(session_id_, std::move(kept));
}

Status TurnRunner::AddLedgerScopes(const SessionInfo& info) {
  const BudgetLimits& s = options_.session_budget;
  if (s.max_tokens > 0 || s.max_cost_usd > 0) {
    budget_.AddScope("session", s.max_tokens, s.max_cost_usd, info.usage.total_tokens(),
                     info.usage.cost_usd.value_or(0));
  }
  const BudgetLimits& u = options_.user_daily_budget;
  if (u.max_tokens > 0 || u.max_cost_usd > 0) {
    auto totals = deps_.sessions->UsageTotals(UsageGrouping::kUserDay, {.user_id = info.user_id});
    if (!totals.ok()) return totals.status().WithContext("reading the user's usage ledger");
    const std::string today = UtcDay(clock_.WallNow());
    int64_t tokens = 0;
    double cost = 0;
    for (const UsageTotal& t : *totals) {
      if (t.day != today) continue;
      tokens += t.usage.total_tokens();
      cost += t.usage.cost_usd.value_or(0);
    }
    budget_.AddScope("user", u.max_tokens, u.max_cost_usd, tokens, cost);
  }
  return Status::Ok();
}

Result<TurnResult> TurnRunner::Run(std::string_view user_text) {
  auto lease = deps_.sessions->BeginTurn(session_id_);
  if (!lease.ok()) return lease.status();
  std::optional<CachedHistory> cached;
  if (shared_.history_cache) cached = shared_.history_cache->Take(session_id_);
  SessionInfo info;
  std::optional<Session> session;
  if (cached) {
    auto current = deps_.sessions->GetInfo(session_id_);
    if (!current.ok()) return current.status();
    info = std::move(*current);
    if (info.message_count != cached->stored_messages) cached.reset();  // written elsewhere
  }
  if (!cached) {
    auto loaded = deps_.sessions->Load(session_id_);
    if (!loaded.ok()) return loaded.status();
    session = std::move(*loaded);
    info = session->info;
  }
  if (!options_.user_id.empty() && info.user_id != options_.user_id) {
    return Status::PermissionDenied(
        fmt::format("session {} belongs to another user", session_id_));
  }
  REAGENT_RETURN_IF_ERROR(AddLedgerScopes(info));

  stored_at_start_ = info.message_count;
  if (cached) {
    AdoptHistory(std::move(*cached));
  } else {
    LoadHistory(*session);
    session.reset();
  }
  history_end_ = conv_.size();
  committed_ = conv_.size();

  // The user's message: blocked → no model call, nothing spent, nothing stored.
  const ScanResult scan = deps_.sanitizer->Scan(user_text, TextSource::kUser);
  RecordScan(scan, "user");
  if (scan.verdict == Verdict::kBlock) {
    result_.blocked = true;
    Stop(StopReason::kBlocked,
         fmt::format("the injection filter blocked the message (score {:.2f}: {})", scan.score,
                     Categories(scan)));
    Emit({.kind = AgentEvent::Kind::kFinal, .stop_reason = result_.stop_reason,
          .stop_detail = result_.stop_detail});
    KeepHistory(/*verify=*/false);
    return std::move(result_);
  }
  turn_start_ = conv_.size();
  Push(Message::User(scan.cleaned));
  Emit({.kind = AgentEvent::Kind::kTurnStarted, .text = conv_.view().back().content});

  while (!stopped_ && StepOnce()) {
  }

  // The user's message is stored even when no step completed, so the history stays whole.
  if (committed_ < conv_.size()) {
    const Status s = Commit(nullptr, {{"stop_reason", StopReasonName(result_.stop_reason)}});
    if (!s.ok()) {
      Logger()->warn("session {}: could not store the turn's last messages: {}", session_id_,
                     s.ToString());
      if (result_.stop_detail.empty()) result_.stop_detail = s.ToString();
    }
  }
  KeepHistory(/*verify=*/true);
  AgentEvent final_event{.kind = AgentEvent::Kind::kFinal, .step = result_.steps,
                         .text = result_.final_answer, .model = result_.model_used,
                         .usage = result_.usage, .stop_reason = result_.stop_reason,
                         .stop_detail = result_.stop_detail};
  Emit(std::move(final_event));
  return std::move(result_);
}

std::pair<int64_t, int64_t> TurnRunner::PromptLimits(bool closing) const {
  int64_t window_limit = kNoLimit;
  if (shared_.context_window) {
    // Leave room for the full output allowance (the closing call only needs the minimum).
    const int64_t out = closing ? options_.min_output_tokens : options_.max_output_tokens;
    window_limit = std::max<int64_t>(*shared_.context_window - out, 0);
  }
  int64_t budget_limit = kNoLimit;
  if (const auto left = budget_.RemainingTokens()) {
    budget_limit = std::max<int64_t>(*left - options_.min_output_tokens, 0);
  }
  return {std::min(window_limit, budget_limit), closing ? std::min(window_limit, budget_limit)
                                                        : window_limit};
}

TurnRunner::Prompt TurnRunner::BuildPrompt(int64_t fixed_tokens, int64_t limit, int64_t step_limit) {
  Prompt p;
  const int64_t whole = fixed_tokens + conv_tokens_total_;
  if (whole <= limit) {
    // Nothing to trim (the common case): the request shares the conversation.
    p.messages = conv_;
    p.tokens = whole;
    p.fits = true;
    return p;
  }
  // Trimmed at every step from here on, so what does not change between steps is kept: the
  // grouping of the earlier turns, the note's count, and the prompt's messages (PromptWindow).
  if (!earlier_) earlier_ = GroupEarlierTurns(conv_.view(), conv_tokens_, turn_start_);
  const TrimResult trim = TrimGrouped(
      *earlier_, conv_.view(), conv_tokens_, fixed_tokens, limit, std::max(limit, step_limit),
      [&](const std::string& note) {
        if (note != note_count_.first) {
          note_count_ = {note, shared_.counter->CountMessage(Message::System(note))};
        }
        return note_count_.second;
      });
  p.tokens = trim.tokens;
  p.fits = trim.fits;
  p.messages = window_.Update(conv_, trim.kept, trim.note);
  if (!trim.note.empty() && trim.note != last_trim_note_) {
    last_trim_note_ = trim.note;
    Emit({.kind = AgentEvent::Kind::kHistoryTrimmed, .step = budget_.steps(), .text = trim.note});
  }
  return p;
}

Status TurnRunner::Commit(const StepTrace* trace, nlohmann::json extra) {
  StepRecord record;
  // A commit without a model call (a cancelled or blocked turn's messages) spent nothing: its
  // cost is a known $0, not "unpriced", which would make every sum over it unknown.
  record.usage.cost_usd = 0.0;
  record.messages.assign(conv_.begin() + static_cast<std::ptrdiff_t>(committed_), conv_.end());
  record.message_tokens.assign(conv_tokens_.begin() + static_cast<std::ptrdiff_t>(committed_),
                               conv_tokens_.end());
  if (trace) {
    record.model = trace->model;
    record.usage = trace->usage;
    extra["step"] = trace->index;
    if (trace->closing_call) extra["closing_call"] = true;
  }
  record.extra = std::move(extra);
  if (Status s = deps_.sessions->AppendStep(session_id_, record); !s.ok()) {
    commit_failed_ = true;
    return s;
  }
  committed_ = conv_.size();
  return Status::Ok();
}

}  // namespace reagent
