// The stored form of one message in a session's Redis list: a compact length-prefixed
// record rather than JSON, so loading a history copies bytes instead of parsing text.
//
//   u8 format (1) · u8 role · content · name · tool_call_id · varint n · n × (id · name · arguments)
//   · varint tokens+1 (0: unknown)
// where each string is a varint byte length followed by the bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "reagent/core/message.h"
#include "reagent/core/status.h"

namespace reagent::redis_internal {

std::string EncodeMessage(const Message& m, std::optional<int64_t> tokens = std::nullopt);
// kDataLoss naming what is wrong for a record that is not one of ours (truncated, unknown
// format or role).
Result<Message> DecodeMessage(std::string_view record);

}  // namespace reagent::redis_internal
