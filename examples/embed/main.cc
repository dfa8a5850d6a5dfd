// The smallest backend that embeds reagent: it links reagent::reagent from the installed
// package and runs one agent turn with a calculator tool, a SQLite session and the injection
// filter. The model is a ScriptedModel so this runs anywhere; swap in OpenAIChatModel
// (reagent/llm/openai_chat_model.h) to talk to a real endpoint.
#include <cstdio>
#include <filesystem>

#include "reagent/agent/agent.h"
#include "reagent/core/version.h"
#include "reagent/llm/resilient_model.h"
#include "reagent/llm/scripted_model.h"
#include "reagent/sanitizer/sanitizer.h"
#include "reagent/session/sqlite_session_store.h"
#include "reagent/tools/builtin_tools.h"

int main() {
  using namespace reagent;
  SystemClock& clock = SystemClock::Default();
  auto model = ScriptedModel::Create("gpt-4.1", nlohmann::json::parse(R"([
      {"content": "Thought: I need to compute.\nAction: calculator\nAction Input: 17*23"},
      {"content": "Thought: I know it now.\nFinal Answer: 17*23 = 391"}])"), clock);
  if (!model.ok()) return 1;
  auto chain = MakeResilientModel({{.model = std::shared_ptr<ChatModel>(std::move(*model))}}, {}, clock,
                                  DefaultRandom());
  auto sanitizer = Sanitizer::Create();
  std::string db = (std::filesystem::temp_directory_path() / "reagent-embed-example.db").string();
  std::filesystem::remove(db);
  auto store = OpenSqliteSessionStore({.path = db}, clock);
  if (!chain.ok() || !sanitizer.ok() || !store.ok()) return 1;
  auto tools = std::make_shared<ToolRegistry>();
  if (!tools->Register(MakeCalculatorTool()).ok()) return 1;
  std::shared_ptr<SessionStore> sessions(std::move(*store));

  auto agent = Agent::Create({.system_prompt = "You are a helpful assistant.",
                              .budget = {.max_tokens = 8000, .max_cost_usd = 0.05}},
                             {.model = *chain, .model_name = "gpt-4.1", .sanitizer = *sanitizer,
                              .sessions = sessions, .tools = tools});
  if (!agent.ok()) {
    std::fprintf(stderr, "%s\n", agent.status().ToString().c_str());
    return 1;
  }
  auto session = sessions->Create("user-42");
  if (!session.ok()) return 1;
  Result<TurnResult> r = (*agent)->Run(session->id, "What is 17*23?");
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    return 1;
  }
  std::printf("reagent %s embedded: %s (stop %s, %d steps, %lld tokens)\n", REAGENT_VERSION,
              r->final_answer.c_str(), std::string(StopReasonName(r->stop_reason)).c_str(), r->steps,
              static_cast<long long>(r->usage.total_tokens()));
  std::filesystem::remove(db);
  return r->final_answer == "17*23 = 391" ? 0 : 1;
}
