// Probe for bench/http_layer_probe.sh: an SSE endpoint on cpp-httplib whose streams stay open
// and idle, as a turn waiting on its model would. argv[1]: the thread pool size.
#include <httplib.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
int main(int argc, char** argv) {
  size_t pool = argc > 1 ? std::stoul(argv[1]) : 8;
  httplib::Server s;
  s.new_task_queue = [pool] { return new httplib::ThreadPool(pool); };
  s.set_keep_alive_timeout(600);
  s.set_read_timeout(600);
  s.set_write_timeout(600);
  static std::atomic<int> open{0};
  s.Get("/sse", [](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/event-stream", [](size_t, httplib::DataSink& sink) {
      open++;
      sink.write(": open\n\n", 9);
      for (int i = 0; i < 600; ++i) {  // an idle stream: the turn waits on a slow model
        std::this_thread::sleep_for(std::chrono::seconds(1));
        if (!sink.is_writable()) break;
      }
      open--;
      sink.done();
      return true;
    });
  });
  int port = s.bind_to_any_port("127.0.0.1");
  std::printf("%d\n", port);
  std::fflush(stdout);
  s.listen_after_bind();
}
