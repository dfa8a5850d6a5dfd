// Which part of a streamed model reply the user should see. In ReAct mode a reply is
// "Thought: ...\nFinal Answer: <answer>": only what follows the marker is the answer, and the
// marker may arrive split across deltas. In native tool mode the reply's content is the
// answer itself.
#pragma once

#include <string>
#include <string_view>

namespace reagent::server {

class AnswerStream {
 public:
  explicit AnswerStream(bool react) : react_(react) {}

  // A new model call begins (its text is separate from the previous call's).
  void StartCall();
  // The answer text this piece adds (often empty).
  std::string Delta(std::string_view piece);
  // What is still to be sent once the turn's final answer is known: the rest of it when the
  // streamed text is its beginning, all of it when the last call streamed nothing of it.
  std::string Finish(std::string_view final_answer) const;

 private:
  bool react_;
  std::string call_text_;    // this call's text so far
  size_t answer_start_ = std::string::npos;  // where the answer begins in call_text_
  std::string sent_;         // answer text sent for this call
};

}  // namespace reagent::server
