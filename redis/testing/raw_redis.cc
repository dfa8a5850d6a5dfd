#include "raw_redis.h"

#include <hiredis.h>

#include "session_commands.h"
#include "session_scripts.h"

namespace reagent {

Result<std::unique_ptr<RawRedis>> RawRedis::Connect(const std::string& url) {
  REAGENT_ASSIGN_OR_RETURN(RedisEndpoint e, RedisEndpoint::Parse(url));
  redisContext* c = e.socket_path.empty() ? redisConnect(e.host.c_str(), e.port) : redisConnectUnix(e.socket_path.c_str());
  if (c == nullptr || c->err) {
    std::string why = c ? c->errstr : "out of memory";
    redisFree(c);
    return Status::Unavailable("raw redis: " + why);
  }
  std::unique_ptr<RawRedis> raw(new RawRedis(c));
  raw->append_sha_ = raw->Sha(redis_internal::AppendScript().source());
  raw->load_sha_ = raw->Sha(redis_internal::LoadScript().source());
  if (raw->append_sha_.empty() || raw->load_sha_.empty()) return Status::Unavailable("raw redis: SCRIPT LOAD failed");
  return raw;
}

RawRedis::~RawRedis() { redisFree(c_); }

std::string RawRedis::Sha(const std::string& source) {
  auto* r = static_cast<redisReply*>(redisCommand(c_, "SCRIPT LOAD %b", source.data(), source.size()));
  std::string sha = r && r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : "";
  if (r) freeReplyObject(r);
  return sha;
}

std::vector<std::string> RawRedis::AppendStepArgs(const RedisSessionStoreOptions& o, std::string_view session_id,
                                                  const StepRecord& step, WallTime now) {
  return redis_internal::AppendStepArgs(o, session_id, step, now);
}

std::vector<std::string> RawRedis::LoadArgs(const RedisSessionStoreOptions& o, std::string_view session_id,
                                            WallTime now) {
  return redis_internal::LoadArgs(o, session_id, now);
}

bool RawRedis::Eval(const std::string& sha, const std::vector<std::string>& args) {
  std::vector<const char*> argv = {"EVALSHA", sha.c_str(), "0"};
  std::vector<size_t> lens = {7, sha.size(), 1};
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(redisCommandArgv(c_, static_cast<int>(argv.size()), argv.data(), lens.data()));
  if (r == nullptr) return false;
  const bool ok = r->type == REDIS_REPLY_ARRAY && r->elements > 0 && r->element[0]->type == REDIS_REPLY_STRING &&
                  std::string_view(r->element[0]->str, r->element[0]->len) == "OK";
  freeReplyObject(r);
  return ok;
}

bool RawRedis::AppendStep(const std::vector<std::string>& args) { return Eval(append_sha_, args); }
bool RawRedis::Load(const std::vector<std::string>& args) { return Eval(load_sha_, args); }

}  // namespace reagent
