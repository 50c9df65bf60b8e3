#pragma once
// Runs a program as a child process and captures what integration tests look at: stdout, stderr and the
// exit code. Knows nothing about fundtrail's commands; run_fundtrail() only adds the binary's path.
//
// The child gets stdin from /dev/null (a command waiting for input fails instead of hanging the suite),
// the parent's environment adjusted by CliOptions, and is killed (SIGKILL) after `timeout`.
// Output goes through temporary files rather than pipes, so a chatty child can never block on a full pipe.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace fundtrail::cli {

struct CliResult {
  int exit_code = -1;  // the exit status; -1 when the program did not exit normally
  int signal = 0;      // the signal that ended it, 0 when it exited
  bool timed_out = false;
  std::string out;
  std::string err;

  // For assertion messages: `EXPECT_EQ(r.exit_code, 0) << r.describe();`
  std::string describe() const {
    std::ostringstream text;
    text << "exit code " << exit_code;
    if (signal != 0) text << ", signal " << signal;
    if (timed_out) text << ", timed out";
    text << "\n--- stdout ---\n" << out << "\n--- stderr ---\n" << err;
    return text.str();
  }
};

struct CliOptions {
  std::vector<std::string> set_env;    // "NAME=value", replacing an inherited NAME
  std::vector<std::string> unset_env;  // names removed from the inherited environment
  std::chrono::milliseconds timeout{60'000};
};

namespace cli_runner_detail {

class CaptureFile {
 public:
  CaptureFile() {
    std::string pattern = (std::filesystem::temp_directory_path() / "fundtrail-cli-capture-XXXXXX").string();
    fd_ = ::mkstemp(pattern.data());
    if (fd_ < 0) throw std::runtime_error(std::string("mkstemp failed: ") + std::strerror(errno));
    path_ = pattern;
  }
  ~CaptureFile() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  CaptureFile(const CaptureFile&) = delete;
  CaptureFile& operator=(const CaptureFile&) = delete;
  int fd() const { return fd_; }
  std::string contents() const {
    std::ifstream in(path_, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

 private:
  int fd_ = -1;
  std::string path_;
};

inline std::string env_name(const std::string& entry) { return entry.substr(0, entry.find('=')); }

inline std::vector<std::string> child_environment(const CliOptions& options) {
  std::vector<std::string> names = options.unset_env;
  for (const std::string& entry : options.set_env) names.push_back(env_name(entry));
  std::vector<std::string> result;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    bool dropped = false;
    for (const std::string& name : names) dropped = dropped || env_name(text) == name;
    if (!dropped) result.push_back(text);
  }
  result.insert(result.end(), options.set_env.begin(), options.set_env.end());
  return result;
}

}  // namespace cli_runner_detail

// Runs `program` (a path, not searched in $PATH) with `args`. Throws std::runtime_error only when the
// program cannot be started at all.
inline CliResult run_program(const std::string& program, const std::vector<std::string>& args,
                             const CliOptions& options = {}) {
  cli_runner_detail::CaptureFile out;
  cli_runner_detail::CaptureFile err;

  std::vector<std::string> argv_text{program};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_text) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_text = cli_runner_detail::child_environment(options);
  std::vector<char*> envp;
  for (std::string& entry : env_text) envp.push_back(entry.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.fd(), STDERR_FILENO);
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw std::runtime_error("cannot run " + program + ": " + std::strerror(spawned));

  CliResult result;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) throw std::runtime_error(std::string("waitpid failed: ") + std::strerror(errno));
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  result.out = out.contents();
  result.err = err.contents();
  return result;
}

#ifdef FUNDTRAIL_BINARY
// The fundtrail binary built with the tests. $FUNDTRAIL_DB is removed so a developer's setting cannot leak
// into a test: pass --db explicitly.
inline CliResult run_fundtrail(const std::vector<std::string>& args, CliOptions options = {}) {
  options.unset_env.push_back("FUNDTRAIL_DB");
  return run_program(FUNDTRAIL_BINARY, args, options);
}
#endif

}  // namespace fundtrail::cli
