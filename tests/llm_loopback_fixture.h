// Shared set-up for the loopback tests: a real MockLlmServer on 127.0.0.1 and a real
// OpenAIChatModel pointed at it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "reagent/llm/openai_chat_model.h"
#include "reagent/mockllm/mock_llm_server.h"

namespace reagent::testing {

struct Loopback {
  std::unique_ptr<mockllm::MockLlmServer> server;
  std::unique_ptr<OpenAIChatModel> model;
};

inline Loopback StartLoopback(mockllm::MockLlmOptions server_options,
                              OpenAIChatModelOptions client_options = {}) {
  Loopback lb;
  lb.server = std::make_unique<mockllm::MockLlmServer>(std::move(server_options));
  Status started = lb.server->Start();
  EXPECT_TRUE(started.ok()) << started;
  if (client_options.model.empty()) client_options.model = "gpt-4.1";
  client_options.base_url = lb.server->base_url();
  if (!client_options.api_key) client_options.api_key = "";
  auto model = OpenAIChatModel::Create(std::move(client_options));
  EXPECT_TRUE(model.ok()) << model.status();
  if (model.ok()) lb.model = std::move(*model);
  return lb;
}

inline ChatRequest Ask(std::string text) {
  ChatRequest r;
  r.messages.push_back(Message::User(std::move(text)));
  return r;
}

inline nlohmann::json Script(const char* text) { return nlohmann::json::parse(text); }

}  // namespace reagent::testing
