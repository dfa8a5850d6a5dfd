#include "answer_stream.h"

namespace reagent::server {
namespace {
constexpr std::string_view kFinalMarker = "Final Answer:";
}

void AnswerStream::StartCall() {
  call_text_.clear();
  answer_start_ = std::string::npos;
  sent_.clear();
}

std::string AnswerStream::Delta(std::string_view piece) {
  if (!react_) {
    sent_.append(piece);
    return std::string(piece);
  }
  call_text_.append(piece);
  if (answer_start_ == std::string::npos) {
    const size_t at = call_text_.find(kFinalMarker);
    if (at == std::string::npos) return "";
    answer_start_ = at + kFinalMarker.size();
  }
  // Spaces between the marker and the answer are not part of it.
  while (sent_.empty() && answer_start_ < call_text_.size() &&
         (call_text_[answer_start_] == ' ' || call_text_[answer_start_] == '\t')) {
    ++answer_start_;
  }
  const size_t from = answer_start_ + sent_.size();
  if (from >= call_text_.size()) return "";
  std::string fresh = call_text_.substr(from);
  sent_ += fresh;
  return fresh;
}

std::string AnswerStream::Finish(std::string_view final_answer) const {
  if (sent_.empty()) return std::string(final_answer);
  if (final_answer.substr(0, sent_.size()) == sent_) return std::string(final_answer.substr(sent_.size()));
  return "";
}

}  // namespace reagent::server
