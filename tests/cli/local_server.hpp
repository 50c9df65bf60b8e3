#pragma once
// A test server on 127.0.0.1 next to the program under test: a Python script (tests/ingest/fake_*_server.py)
// started with `python3 -u SCRIPT ARGS...` that binds an ephemeral port and prints it as the first line of
// stdout. Also a minimal HTTP/1.0 client for the servers' control paths (/__stats, /__reset), since the tests
// link no HTTP library. Nothing but 127.0.0.1 is ever contacted.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli_runner.hpp"

namespace fundtrail::cli {

// One HTTP/1.0 request to 127.0.0.1:`port`; returns the body (any status). Throws std::runtime_error when
// the server cannot be reached or sends no HTTP response.
inline std::string local_http_request(int port, const std::string& method, const std::string& path,
                                      const std::string& body = {}) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
  const std::string request = method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
                              "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  ::send(fd, request.data(), request.size(), 0);
  std::string response;
  char buffer[8192];
  for (;;) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    response.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  const auto start = response.find("\r\n\r\n");
  if (start == std::string::npos) throw std::runtime_error("no HTTP response from " + path + ": " + response);
  return response.substr(start + 4);
}

// The server process: started in the constructor (throws std::runtime_error if it prints no port within
// `startup`), SIGKILLed by the destructor.
class LocalServer {
 public:
  LocalServer(const std::string& program, const std::vector<std::string>& args,
              std::chrono::milliseconds startup = std::chrono::milliseconds(30'000)) {
    process_ = std::make_unique<BackgroundProgram>(program, args);
    const auto deadline = std::chrono::steady_clock::now() + startup;
    for (;;) {
      const std::string out = process_->out_so_far();
      if (const auto newline = out.find('\n'); newline != std::string::npos) {
        port_ = std::stoi(out.substr(0, newline));
        break;
      }
      if (!process_->running() || std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error(program + " did not start: " + process_->err_so_far());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  // A Python script run with `python3 -u` (found in PATH; check find_in_path("python3") first to skip).
  static std::unique_ptr<LocalServer> python(const std::string& script, const std::vector<std::string>& args = {}) {
    std::vector<std::string> all{"-u", script};
    all.insert(all.end(), args.begin(), args.end());
    return std::make_unique<LocalServer>(find_in_path("python3"), all);
  }

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string request(const std::string& method, const std::string& path, const std::string& body = {}) const {
    return local_http_request(port_, method, path, body);
  }
  // Line `index` (0-based; 0 is the port) of what the server printed, waiting up to `timeout` for it. Throws
  // std::runtime_error when it does not come.
  std::string stdout_line(std::size_t index, std::chrono::milliseconds timeout = std::chrono::milliseconds(20'000)) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const std::string out = process_->out_so_far();
      std::size_t start = 0;
      for (std::size_t line = 0;; ++line) {
        const auto end = out.find('\n', start);
        if (end == std::string::npos) break;
        if (line == index) return out.substr(start, end - start);
        start = end + 1;
      }
      if (!process_->running() || std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error("the server printed no line " + std::to_string(index) + ": " + process_->err_so_far());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  // What the server wrote on stderr so far (for failure messages).
  std::string log() const { return process_->err_so_far(); }

 private:
  std::unique_ptr<BackgroundProgram> process_;
  int port_ = 0;
};

}  // namespace fundtrail::cli
