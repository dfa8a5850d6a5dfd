// One turn of the agent loop. Created per Agent::Run call and used from that thread only; all
// state shared across turns lives in the session store and the immutable AgentShared.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "agent_shared.h"
#include "history_cache.h"
#include "prompt_window.h"
#include "reagent/agent/agent.h"
#include "reagent/agent/token_budget.h"
#include "trim_groups.h"

namespace reagent {

class TurnRunner {
 public:
  TurnRunner(const AgentOptions& options, const AgentDeps& deps, const AgentShared& shared,
             std::string session_id, AgentObserver* observer, CancellationToken cancel);

  Result<TurnResult> Run(std::string_view user_text);

 private:
  // What one model call returned, with the turn's accounting already done.
  struct ModelCall {
    bool ok = false;
    ChatResponse response;  // secrets already redacted
    ModelError error;
    bool secret = false;    // the reply contained a secret (see AgentOptions::on_secret)
  };

  // The history from the store: every stored message scanned (sanitize_history) and counted.
  void LoadHistory(Session& session);
  // The history from the agent's cache: only messages this agent wrote since are scanned.
  void AdoptHistory(CachedHistory cached);
  // Texts already scanned from the history, by text (AdoptHistory).
  using Prescans = std::unordered_map<std::string_view, const PrescannedText*>;
  // The history scan of a stored message's content (conv_ index `index`; the text it reads is
  // HistoryText's, its result taken from `known` when that holds the text): the text that
  // replaces it in prompts when the scan did not allow it (the finding is kept), else nullopt.
  std::optional<std::string> HistoryScan(std::string_view content, size_t index,
                                         const Prescans* known = nullptr);
  // Hands the conversation to the agent's cache when it is exactly what the store holds.
  void KeepHistory(bool verify);
  Status AddLedgerScopes(const SessionInfo& info);
  void Push(Message m);
  void PopLast();
  void SetMessage(size_t index, Message m);

  // The loop's pieces.
  bool StepOnce();  // false when the turn has stopped
  bool HandleReactReply(const ChatResponse& response, StepTrace& trace);
  bool HandleToolsReply(const ChatResponse& response, StepTrace& trace);
  bool MalformedReply(const std::string& correction, StepTrace& trace);
  // Ends the turn `blocked` without the reply (AgentOptions::SecretPolicy::kBlock).
  void WithholdReply(StepTrace& trace);
  // Runs one call and observes its result; returns the (wrapped) observation for the prompt.
  std::string ExecuteTool(const ToolCall& call, StepTrace& trace);
  // The calls of one native reply, concurrently up to max_parallel_tools; observations in
  // the calls' order.
  std::vector<std::string> ExecuteTools(const std::vector<ToolCall>& calls, StepTrace& trace);
  // Invokes the tool; safe to call from several threads at once.
  ToolResult InvokeTool(const ToolCall& call) const;
  // Scans, wraps, records and reports a tool's result (on the turn's thread).
  std::string ObserveTool(const ToolCall& call, ToolResult result, StepTrace& trace);
  void Closing(StopReason reason, std::string detail);

  // Builds the prompt from conv_ as it stands (the closing call swaps in its system prompt and
  // appends its instruction first), trimmed to `limit` tokens (steps of this turn dropped only
  // above `step_limit`). When nothing needs trimming the prompt shares conv_: no copy.
  struct Prompt {
    MessageList messages;
    int64_t tokens = 0;
    bool fits = false;
  };
  Prompt BuildPrompt(int64_t fixed_tokens, int64_t limit, int64_t step_limit);
  // {limit, step_limit} for BuildPrompt: the context window and the budget's room for a
  // prompt; steps of this turn are dropped only for the window (or for a closing call).
  std::pair<int64_t, int64_t> PromptLimits(bool closing) const;

  // The request for a prompt and its reservation; tools only for reason/act steps in kTools.
  ChatRequest MakeRequest(Prompt prompt, const Reservation& reservation, bool with_tools) const;
  ModelCall CallModel(ChatRequest request, const Reservation& reservation, StepTrace& trace);
  Status Commit(const StepTrace* trace, nlohmann::json extra = nlohmann::json::object());
  void Stop(StopReason reason, std::string detail);
  StopReason StopForModelError(const ModelError& error) const;

  void Emit(AgentEvent event) const;
  void EmitWarnings(const std::vector<BudgetWarning>& warnings);
  void RecordScan(const ScanResult& scan, const std::string& source);

  const AgentOptions& options_;
  const AgentDeps& deps_;
  const AgentShared& shared_;
  const std::string session_id_;
  AgentObserver* observer_;
  CancellationToken cancel_;
  Clock& clock_;
  TokenBudget budget_;
  std::string nonce_;

  MessageList conv_;                   // [0] system, history, this turn's user message, steps
  std::vector<int64_t> conv_tokens_;   // exact count of each conv_ message
  int64_t conv_tokens_total_ = 0;      // their sum
  size_t turn_start_ = 0;              // index of this turn's user message in conv_
  size_t history_end_ = 0;             // conv_[1, history_end_) came from the store or cache
  size_t committed_ = 0;               // conv_[0, committed_) is in the store (system excluded)
  bool commit_failed_ = false;
  int64_t stored_at_start_ = 0;        // messages the store held for the session at the start
  std::vector<std::pair<size_t, ScanResult>> history_findings_;  // history scans that did not allow
  // This turn's tool outputs with their history scans, for the next turn (history cache only).
  std::vector<PrescannedText> prescanned_;
  std::string last_trim_note_;
  // Trimming state kept across the turn's steps (see BuildPrompt): the earlier turns grouped
  // once, the last trimmed prompt, and the last note with its count.
  std::optional<EarlierTurns> earlier_;
  PromptWindow window_;
  std::pair<std::string, int64_t> note_count_;
  int consecutive_parse_failures_ = 0;
  bool stopped_ = false;
  TurnResult result_;
};

}  // namespace reagent
