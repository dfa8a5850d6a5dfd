#include "redis_keys.h"

#include "reagent/redis/redis_client.h"

namespace reagent::redis_internal {
namespace {

bool Plain(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '@' || c == '-';
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string EscapeKeyPart(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (Plain(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string UnescapeKeyPart(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && Hex(s[i + 1]) >= 0 && Hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(Hex(s[i + 1]) * 16 + Hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace reagent::redis_internal

namespace reagent {

Status CheckRedisKeyPrefix(std::string_view prefix) {
  if (prefix.empty()) return Status::InvalidArgument("redis key prefix must not be empty");
  for (char c : prefix) {
    if (c <= ' ' || c > '~' || c == '{' || c == '}') {
      return Status::InvalidArgument("redis key prefix \"" + std::string(prefix) +
                                     "\" may contain only printable ASCII without spaces or braces");
    }
  }
  return Status::Ok();
}

}  // namespace reagent

namespace reagent::redis_internal {

std::string SessionKey(std::string_view prefix, std::string_view session_id, std::string_view part) {
  std::string key;
  key.reserve(prefix.size() + session_id.size() + part.size() + 5);
  key.append(prefix).append(":s:{").append(session_id).append("}").append(part);
  return key;
}

std::string LeaseKey(std::string_view prefix, std::string_view session_id, std::string_view lease_id) {
  return SessionKey(prefix, session_id, ":l:" + std::string(lease_id));
}

}  // namespace reagent::redis_internal
