#include "reagent/llm/response_cache.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "reagent/llm/caching_model.h"
#include "reagent/llm/sqlite_response_cache.h"
#include "resilience_test_fakes.h"

namespace reagent {
namespace {

using testing::EventLog;
using testing::Fail;
using testing::FakeModel;
using testing::Reply;

ChatRequest Deterministic(std::string text) {
  ChatRequest r;
  r.model = "gpt-4.1";
  r.messages.push_back(Message::User(std::move(text)));
  r.temperature = 0.0;
  return r;
}

ChatResult Priced(std::string content, double cost) {
  ChatResult r = Reply(std::move(content), 100, 20);
  r->usage.cost_usd = cost;
  r->model = "gpt-4.1";
  return r;
}


TEST(RequestCacheKey, IgnoresWhatDoesNotShapeTheAnswer) {
  ChatRequest a = Deterministic("hello");
  ChatRequest b = a;
  CancellationSource source;
  b.cancel = source.token();
  b.deadline = TimePoint(Seconds(5));
  b.on_event = [](const ModelEvent&) {};
  EXPECT_EQ(RequestCacheKey(a), RequestCacheKey(b));
  EXPECT_EQ(RequestCacheKey(a).size(), 64u);
}

TEST(RequestCacheKey, ChangesWithEverythingThatShapesTheAnswer) {
  const ChatRequest base = Deterministic("hello");
  std::vector<ChatRequest> variants(7, base);
  variants[0].model = "gpt-4.1-mini";
  variants[1].messages[0].content = "hello!";
  variants[2].tools.push_back(ToolSpec{.name = "calculator"});
  variants[3].tool_choice = "required";
  variants[4].temperature = 0.5;
  variants[5].max_tokens = 10;
  variants[6].response_format = {{"type", "json_object"}};
  for (const ChatRequest& v : variants) EXPECT_NE(RequestCacheKey(v), RequestCacheKey(base));
}

TEST(IsCacheable, OnlyExplicitTemperatureZeroUnlessAllowed) {
  ChatRequest r = Deterministic("x");
  EXPECT_TRUE(IsCacheable(r));
  r.temperature = 0.7;
  EXPECT_FALSE(IsCacheable(r));
  EXPECT_TRUE(IsCacheable(r, /*allow_nondeterministic=*/true));
  r.temperature.reset();  // provider default (1.0 at OpenAI): sampling
  EXPECT_FALSE(IsCacheable(r));
}

struct CacheFixture : ::testing::Test {
  ManualClock clock;
  std::shared_ptr<InMemoryResponseCache> cache =
      std::make_shared<InMemoryResponseCache>(clock, ResponseCacheOptions{.max_entries = 2,
                                                                          .ttl = Seconds(100)});
};

TEST_F(CacheFixture, RepeatedDeterministicRequestIsServedFromTheCache) {
  auto fake = FakeModel::Script("gpt-4.1", {Priced("391", 0.0012), Priced("other", 0.5)});
  CachingModel model(fake, cache);
  ChatResult first = model.Complete(Deterministic("17*23?"));
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->cache_hit);
  EventLog log;
  ChatRequest again = Deterministic("17*23?");
  again.on_event = log.callback();
  ChatResult second = model.Complete(again);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->cache_hit);
  EXPECT_EQ(second->content, "391");
  EXPECT_EQ(second->model, "gpt-4.1");
  EXPECT_EQ(second->attempts, 0);
  EXPECT_EQ(second->usage.total_tokens(), 0);
  EXPECT_EQ(second->usage.cost_usd, 0.0);
  EXPECT_EQ(fake->calls(), 1);
  ASSERT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.events[0].kind, ModelEvent::Kind::kCacheHit);
  EXPECT_DOUBLE_EQ(log.events[0].saved_cost_usd, 0.0012);
  CacheStats stats = cache->stats();
  EXPECT_EQ(stats.hits, 1);
  EXPECT_EQ(stats.misses, 1);
  EXPECT_DOUBLE_EQ(stats.saved_cost_usd, 0.0012);
}

// A store that cannot answer (a shared cache that is down and configured to fail closed).
class UnreadableCache final : public ResponseCache {
 protected:
  std::optional<ChatResponse> Load(const std::string&) override { return std::nullopt; }
  Result<std::optional<ChatResponse>> TryLoad(const std::string&) override {
    return Status::Unavailable("cache server unreachable");
  }
  void Save(const std::string&, const ChatResponse&) override {}
};

TEST(CachingModel, ACacheThatCannotBeReadFailsTheCallUnsent) {
  auto fake = FakeModel::Script("gpt-4.1", {Reply("answer")});
  CachingModel model(fake, std::make_shared<UnreadableCache>());
  ChatResult r = model.Complete(Deterministic("17*23?"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kUnavailable);
  EXPECT_EQ(r.error().message, "response cache: cache server unreachable");
  EXPECT_EQ(fake->calls(), 0);
  ChatRequest sampling = Deterministic("17*23?");
  sampling.temperature = 0.7;
  EXPECT_TRUE(model.Complete(sampling).ok()) << "uncacheable requests never ask the cache";
}

TEST_F(CacheFixture, SamplingRequestsAreNotCachedUnlessAllowed) {
  auto fake = FakeModel::Script("gpt-4.1", {Reply("a"), Reply("b"), Reply("c"), Reply("d")});
  CachingModel strict(fake, cache);
  ChatRequest sampled = Deterministic("poem");
  sampled.temperature = 0.9;
  EXPECT_EQ(strict.Complete(sampled)->content, "a");
  EXPECT_EQ(strict.Complete(sampled)->content, "b");
  EXPECT_EQ(cache->stats().misses, 0);  // not even looked up
  CachingModel lenient(fake, cache, CachingOptions{.allow_nondeterministic = true});
  EXPECT_EQ(lenient.Complete(sampled)->content, "c");
  EXPECT_EQ(lenient.Complete(sampled)->content, "c");
}

TEST_F(CacheFixture, ErrorsAndFallbackAnswersAreNotCached) {
  ChatResult from_fallback = Reply("backup answer");
  from_fallback->fallbacks = 1;
  auto fake = FakeModel::Script("gpt-4.1", {Fail(ModelErrorKind::kServerError, 500),
                                            from_fallback, Reply("primary answer")});
  CachingModel model(fake, cache);
  EXPECT_FALSE(model.Complete(Deterministic("q")).ok());
  EXPECT_EQ(model.Complete(Deterministic("q"))->content, "backup answer");
  EXPECT_EQ(model.Complete(Deterministic("q"))->content, "primary answer");
  EXPECT_EQ(model.Complete(Deterministic("q"))->content, "primary answer");
  EXPECT_EQ(fake->calls(), 3);
}

TEST_F(CacheFixture, EntriesExpireAfterTheTtl) {
  auto fake = FakeModel::Script("gpt-4.1", {Reply("old"), Reply("new")});
  CachingModel model(fake, cache);
  EXPECT_EQ(model.Complete(Deterministic("q"))->content, "old");
  clock.Advance(Seconds(99));
  EXPECT_EQ(model.Complete(Deterministic("q"))->content, "old");
  clock.Advance(Seconds(1));
  EXPECT_EQ(model.Complete(Deterministic("q"))->content, "new");
  EXPECT_EQ(cache->stats().evictions, 1);
}

TEST_F(CacheFixture, LeastRecentlyUsedIsEvictedBeyondTheBound) {
  auto fake = std::make_shared<FakeModel>("gpt-4.1", [](const ChatRequest& r, int call) {
    return Reply(r.messages[0].content + "#" + std::to_string(call));
  });
  CachingModel model(fake, cache);
  (void)model.Complete(Deterministic("a"));
  (void)model.Complete(Deterministic("b"));
  (void)model.Complete(Deterministic("a"));  // a is now the most recent
  (void)model.Complete(Deterministic("c"));  // evicts b
  EXPECT_EQ(cache->size(), 2u);
  EXPECT_EQ(model.Complete(Deterministic("a"))->content, "a#0");
  EXPECT_EQ(model.Complete(Deterministic("c"))->content, "c#2");
  EXPECT_EQ(model.Complete(Deterministic("b"))->content, "b#3");  // called again
  EXPECT_EQ(cache->stats().evictions, 2);
}

TEST_F(CacheFixture, StreamingHitDeliversTextAndToolCalls) {
  ChatResult with_tool = Reply("");
  with_tool->tool_calls.push_back(ToolCall{.id = "call_1", .name = "calculator",
                                           .arguments = R"({"expression":"17*23"})"});
  auto fake = FakeModel::Script("gpt-4.1", {with_tool});
  CachingModel model(fake, cache);
  ASSERT_TRUE(model.Complete(Deterministic("q")).ok());
  std::vector<ChatDelta> deltas;
  ChatResult hit = model.Stream(Deterministic("q"), [&](const ChatDelta& d) { deltas.push_back(d); });
  ASSERT_TRUE(hit.ok());
  EXPECT_TRUE(hit->cache_hit);
  ASSERT_EQ(deltas.size(), 1u);
  EXPECT_EQ(deltas[0].tool_index, 0);
  EXPECT_EQ(deltas[0].tool_call_id, "call_1");
  EXPECT_EQ(deltas[0].tool_name, "calculator");
  EXPECT_EQ(deltas[0].tool_arguments, R"({"expression":"17*23"})");
}

// --- SQLite ---------------------------------------------------------------------------------

struct SqliteCacheFixture : ::testing::Test {
  ManualClock clock;
  std::filesystem::path dir;
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() /
          ("reagent_cache_test_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::string path() const { return (dir / "responses.db").string(); }
};

TEST_F(SqliteCacheFixture, CachedAnswersSurviveReopening) {
  const std::string key = RequestCacheKey(Deterministic("q"));
  {
    auto cache = SqliteResponseCache::Open(path(), clock);
    ASSERT_TRUE(cache.ok()) << cache.status();
    ChatResult r = Priced("391", 0.002);
    r->tool_calls.push_back(ToolCall{.id = "c1", .name = "calculator", .arguments = "{}"});
    (*cache)->Put(key, *r);
  }
  auto reopened = SqliteResponseCache::Open(path(), clock);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  std::optional<ChatResponse> hit = (*reopened)->Get(key);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->content, "391");
  EXPECT_EQ(hit->model, "gpt-4.1");
  EXPECT_EQ(hit->usage.prompt_tokens, 100);
  EXPECT_EQ(hit->usage.cost_usd, 0.002);
  ASSERT_EQ(hit->tool_calls.size(), 1u);
  EXPECT_EQ(hit->tool_calls[0].name, "calculator");
  EXPECT_DOUBLE_EQ((*reopened)->stats().saved_cost_usd, 0.002);
}

TEST_F(SqliteCacheFixture, ExpiryAndLruBoundHold) {
  auto cache = SqliteResponseCache::Open(path(), clock, {.max_entries = 2, .ttl = Seconds(60)});
  ASSERT_TRUE(cache.ok()) << cache.status();
  SqliteResponseCache& c = **cache;
  c.Put("a", *Reply("A"));
  c.Put("b", *Reply("B"));
  ASSERT_TRUE(c.Get("a").has_value());  // a is now the most recent
  c.Put("c", *Reply("C"));              // evicts b
  EXPECT_EQ(c.size(), 2);
  EXPECT_FALSE(c.Get("b").has_value());
  EXPECT_TRUE(c.Get("c").has_value());
  clock.Advance(Seconds(60));
  EXPECT_FALSE(c.Get("a").has_value());
  EXPECT_EQ(c.stats().evictions, 2);
}

TEST_F(SqliteCacheFixture, DamagedRowIsDroppedNotServed) {
  {
    auto cache = SqliteResponseCache::Open(path(), clock);
    ASSERT_TRUE(cache.ok());
    (*cache)->Put("k", *Reply("fine"));
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE reagent_response_cache SET response = '{not json'", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto cache = SqliteResponseCache::Open(path(), clock);
  ASSERT_TRUE(cache.ok());
  EXPECT_FALSE((*cache)->Get("k").has_value());
  EXPECT_EQ((*cache)->size(), 0);
}

TEST_F(SqliteCacheFixture, UnopenablePathIsAnIoErrorNamingIt) {
  const std::string bad = (dir / "missing" / "dir" / "responses.db").string();
  auto cache = SqliteResponseCache::Open(bad, clock);
  ASSERT_FALSE(cache.ok());
  EXPECT_EQ(cache.status().code(), StatusCode::kIOError);
  EXPECT_NE(cache.status().message().find(bad), std::string::npos);
}

TEST_F(SqliteCacheFixture, ANonDatabaseFileIsRefused) {
  {
    std::FILE* f = std::fopen(path().c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("this is not a database, just some text that is long enough to matter", f);
    std::fclose(f);
  }
  auto cache = SqliteResponseCache::Open(path(), clock);
  ASSERT_FALSE(cache.ok());
  EXPECT_EQ(cache.status().code(), StatusCode::kIOError);
}

}  // namespace
}  // namespace reagent
