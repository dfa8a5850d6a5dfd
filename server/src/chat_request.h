// A POST /v1/chat/completions body, read the way the server uses it: the session holds the
// history, so only the last message — which must be the user's — is new input. Every field
// the server acts on is checked; a wrong one is an error naming it ("messages[1].content:
// expected a string or an array of text parts").
#pragma once

#include <string>

#include "reagent/core/json.h"
#include "reagent/core/status.h"

namespace reagent::server {

struct ChatRequest {
  std::string model;         // as the client named it (must be one GET /v1/models lists)
  std::string user_text;     // the last message's text (text parts joined by newlines)
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
  std::string session_id;    // metadata.session_id; empty: not given
};

// InvalidArgument naming the field for a body the server cannot act on. Fields it does not
// use (temperature, max_tokens, user, ...) are accepted and ignored: the server's config
// decides them.
Result<ChatRequest> ParseChatRequest(const Json& body);

// Session ids are 22 base64url characters; anything else is refused before it reaches the
// store (at most 64 characters of [A-Za-z0-9_-]).
bool PlausibleSessionId(std::string_view id);

}  // namespace reagent::server
