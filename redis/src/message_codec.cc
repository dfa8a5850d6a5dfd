#include "message_codec.h"

namespace reagent::redis_internal {
namespace {

constexpr uint8_t kFormat = 1;

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutString(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool Byte(uint8_t& b) {
    if (pos_ >= in_.size()) return false;
    b = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool Varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = 0;
      if (!Byte(b)) return false;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool String(std::string& s) {
    uint64_t n = 0;
    if (!Varint(n) || n > in_.size() - pos_) return false;
    s.assign(in_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace

std::string EncodeMessage(const Message& m, std::optional<int64_t> tokens) {
  std::string out;
  size_t size = 16 + m.content.size() + m.name.size() + m.tool_call_id.size();
  for (const ToolCall& c : m.tool_calls) size += 12 + c.id.size() + c.name.size() + c.arguments.size();
  out.reserve(size);
  out.push_back(static_cast<char>(kFormat));
  out.push_back(static_cast<char>(m.role));
  PutString(out, m.content);
  PutString(out, m.name);
  PutString(out, m.tool_call_id);
  PutVarint(out, m.tool_calls.size());
  for (const ToolCall& c : m.tool_calls) {
    PutString(out, c.id);
    PutString(out, c.name);
    PutString(out, c.arguments);
  }
  PutVarint(out, tokens && *tokens >= 0 ? static_cast<uint64_t>(*tokens) + 1 : 0);
  return out;
}

Result<Message> DecodeMessage(std::string_view record) {
  Reader r(record);
  uint8_t format = 0, role = 0;
  if (!r.Byte(format) || format != kFormat) {
    return Status::DataLoss("stored message has an unknown format (" + std::to_string(format) + ")");
  }
  if (!r.Byte(role) || role > static_cast<uint8_t>(Role::kTool)) {
    return Status::DataLoss("stored message has an unknown role (" + std::to_string(role) + ")");
  }
  Message m;
  m.role = static_cast<Role>(role);
  uint64_t calls = 0, tokens = 0;
  if (!r.String(m.content) || !r.String(m.name) || !r.String(m.tool_call_id) || !r.Varint(calls) ||
      calls > record.size()) {
    return Status::DataLoss("stored message is truncated");
  }
  m.tool_calls.resize(calls);
  for (ToolCall& c : m.tool_calls) {
    if (!r.String(c.id) || !r.String(c.name) || !r.String(c.arguments)) {
      return Status::DataLoss("stored message is truncated in a tool call");
    }
  }
  if (!r.Varint(tokens) || !r.done()) return Status::DataLoss("stored message has a malformed end");
  return m;
}

}  // namespace reagent::redis_internal
