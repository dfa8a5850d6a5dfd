#include "reagent/redis/redis_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "redis_server.h"

namespace reagent {
namespace {

std::unique_ptr<RedisServer> StartServer(const RedisServerOptions& o = {}) {
  auto server = RedisServer::Start(o);
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? std::move(*server) : nullptr;
}

RedisClientOptions Fast(std::string url) {
  return {.url = std::move(url), .connect_timeout = Seconds(1), .command_timeout = Seconds(1),
          .reconnect_backoff = std::chrono::milliseconds(200), .max_reconnect_backoff = Seconds(1)};
}

TEST(RedisEndpoint, ParsesTcpUrlsWithPasswordUserPortAndDb) {
  auto e = RedisEndpoint::Parse("redis://:s%40cret@cache.internal:6380/3");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->host, "cache.internal");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->db, 3);
  EXPECT_EQ(e->password, "s@cret");
  EXPECT_EQ(e->user, "");
  EXPECT_EQ(e->Display(), "redis://:***@cache.internal:6380/3");

  auto acl = RedisEndpoint::Parse("redis://app:pw@10.0.0.5");
  ASSERT_TRUE(acl.ok());
  EXPECT_EQ(acl->user, "app");
  EXPECT_EQ(acl->port, 6379);
  EXPECT_EQ(acl->db, 0);

  auto v6 = RedisEndpoint::Parse("redis://[::1]:7000/0");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 7000);
  EXPECT_EQ(v6->Display(), "redis://[::1]:7000/0");
}

TEST(RedisEndpoint, ParsesUnixSocketUrlsWithQuery) {
  auto e = RedisEndpoint::Parse("unix:///run/redis/redis.sock?db=2&password=p%26w");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->socket_path, "/run/redis/redis.sock");
  EXPECT_EQ(e->db, 2);
  EXPECT_EQ(e->password, "p&w");
  EXPECT_EQ(e->Display(), "unix:///run/redis/redis.sock?db=2&password=***");
}

TEST(RedisEndpoint, RefusesMalformedUrlsWithoutEchoingThePassword) {
  for (const char* url : {"http://host:6379", "redis://", "redis://host:0", "redis://host:99999", "redis://host/x",
                          "unix://relative.sock", "unix:///s.sock?db=-1", "unix:///s.sock?color=red",
                          "redis://hunter22@host", "redis://[::1:6379", "rediss://:hunter22@host"}) {
    auto e = RedisEndpoint::Parse(url);
    ASSERT_FALSE(e.ok()) << url;
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument) << url;
    EXPECT_EQ(e.status().message().find("hunter22"), std::string::npos) << e.status();
  }
  EXPECT_NE(RedisEndpoint::Parse("rediss://h").status().message().find("TLS"), std::string::npos);
}

TEST(RedisClient, TalksOverAUnixSocketAndTcp) {
  auto server = StartServer({.tcp = true});
  ASSERT_TRUE(server);
  for (const std::string& url : {server->url(), server->tcp_url()}) {
    auto client = RedisClient::Open(Fast(url));
    ASSERT_TRUE(client.ok()) << client.status();
    ASSERT_TRUE((*client)->Command({"SET", "k", std::string("v\0w", 3)}).ok());
    auto got = (*client)->Command({"GET", "k"});
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->str, std::string("v\0w", 3));
    auto replies = (*client)->Pipeline({{"INCR", "n"}, {"INCR", "n"}, {"LPUSH", "k", "x"}, {"GET", "n"}});
    ASSERT_TRUE(replies.ok()) << replies.status();
    ASSERT_EQ(replies->size(), 4u);
    EXPECT_EQ((*replies)[1].integer, 2);
    EXPECT_EQ((*replies)[2].type, RedisReply::Type::kError) << "WRONGTYPE stays that command's reply";
    EXPECT_EQ((*replies)[3].AsInt(), 2);
    EXPECT_TRUE((*client)->Command({"DEL", "k", "n"}).ok());
  }
}

TEST(RedisClient, PasswordIsSentAndARefusalIsPermissionDenied) {
  auto server = StartServer({.tcp = true, .password = "correct-horse"});
  ASSERT_TRUE(server);
  EXPECT_TRUE(RedisClient::Open(Fast(server->tcp_url())).ok());
  EXPECT_TRUE(RedisClient::Open(Fast(server->url())).ok());

  auto wrong = RedisClient::Open(Fast("redis://:battery-staple@127.0.0.1:" + std::to_string(server->port()) + "/0"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kPermissionDenied) << wrong.status();
  EXPECT_EQ(wrong.status().message().find("battery-staple"), std::string::npos);

  auto none = RedisClient::Open(Fast("redis://127.0.0.1:" + std::to_string(server->port())));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kPermissionDenied) << none.status();
  EXPECT_NE(none.status().message().find("NOAUTH"), std::string::npos) << none.status();
}

TEST(RedisClient, ABadDatabaseNumberIsAConfigurationError) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  auto client = RedisClient::Open(Fast(server->url() + "?db=999"));
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kInvalidArgument) << client.status();
  EXPECT_NE(client.status().message().find("SELECT 999"), std::string::npos) << client.status();
}

TEST(RedisClient, UnreachableServerFailsFastWhileTheReconnectBacksOff) {
  auto o = Fast("unix:///nonexistent/reagent-test/redis.sock");
  o.connect_at_open = false;
  auto client = RedisClient::Open(o);
  ASSERT_TRUE(client.ok());
  auto first = (*client)->Command({"PING"});
  ASSERT_EQ(first.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(first.status().message().find("unix:///nonexistent/reagent-test/redis.sock is unreachable"),
            std::string::npos)
      << first.status();
  EXPECT_EQ((*client)->connects(), 0);
  auto second = (*client)->Command({"PING"});
  ASSERT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("next attempt in"), std::string::npos) << second.status();
}

TEST(RedisClient, AReplyThatTakesLongerThanTheCommandTimeoutIsUnavailable) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  auto o = Fast(server->url());
  o.command_timeout = std::chrono::milliseconds(150);
  auto client = RedisClient::Open(o);
  ASSERT_TRUE(client.ok());
  auto blocked = (*client)->Command({"BLPOP", "never-filled", "2"});
  ASSERT_EQ(blocked.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(blocked.status().message().find("no reply within 0.15 s"), std::string::npos) << blocked.status();
  EXPECT_TRUE((*client)->Command({"PING"}).ok()) << "the timed-out connection was replaced";
}

TEST(RedisClient, RecoversAfterTheServerRestartsWithoutReopening) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  auto client = RedisClient::Open(Fast(server->url()));
  ASSERT_TRUE(client.ok());
  static const RedisScript kAdd("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  ASSERT_EQ((*client)->Eval(kAdd, {"total"}, {"5"})->integer, 5);

  server->Kill();
  auto down = (*client)->Eval(kAdd, {"total"}, {"1"});
  ASSERT_EQ(down.status().code(), StatusCode::kUnavailable) << down.status();

  ASSERT_TRUE(server->Restart().ok());
  // The backoff from the failed reconnect may still run: the client comes back within it.
  Result<RedisReply> up = Status::Unavailable("not tried");
  for (int i = 0; i < 100 && !up.ok(); ++i) {
    up = (*client)->Eval(kAdd, {"total"}, {"1"});
    if (!up.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(up.ok()) << up.status();
  EXPECT_EQ(up->integer, 6) << "the AOF kept the total; the script was loaded again (NOSCRIPT)";
}

TEST(RedisClient, ThreadsShareABoundedPool) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  auto o = Fast(server->url());
  o.max_connections = 2;
  auto client = RedisClient::Open(o);
  ASSERT_TRUE(client.ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (!(*client)->Command({"INCR", "hits"}).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE((*client)->open_connections(), 2);
  EXPECT_EQ((*client)->Command({"GET", "hits"})->AsInt(), 1600);
}

}  // namespace
}  // namespace reagent
