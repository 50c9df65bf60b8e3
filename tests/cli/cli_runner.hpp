#pragma once
// Runs a program as a child process and captures what integration tests look at: stdout, stderr and the
// exit code. Knows nothing about fundtrail's commands; run_fundtrail() only adds the binary's path.
//
// The child gets stdin from /dev/null (a command waiting for input fails instead of hanging the suite),
// the parent's environment adjusted by CliOptions, and is killed (SIGKILL) after `timeout`.
// Output goes through temporary files rather than pipes, so a chatty child can never block on a full pipe.
// BackgroundProgram / start_fundtrail() run a child in the background, to signal it mid-run or to serve.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
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

// The first executable `name` in $PATH, or "" when there is none (e.g. to skip a test needing python3).
inline std::string find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate)) return candidate;
  }
  return {};
}

// A program running in the background, for tests that signal it mid-run (SIGINT, SIGKILL) or that need a
// server next to the program under test. Same child set-up as run_program (stdin /dev/null, output captured
// in temporary files, environment per CliOptions). The destructor kills (SIGKILL) and reaps a child still
// running, so a failing test never leaves one behind.
class BackgroundProgram {
 public:
  // Throws std::runtime_error when the program cannot be started.
  BackgroundProgram(const std::string& program, const std::vector<std::string>& args, const CliOptions& options = {})
      : out_(std::make_unique<cli_runner_detail::CaptureFile>()),
        err_(std::make_unique<cli_runner_detail::CaptureFile>()) {
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
    posix_spawn_file_actions_adddup2(&actions, out_->fd(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_->fd(), STDERR_FILENO);
    const int spawned = ::posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) throw std::runtime_error("cannot run " + program + ": " + std::strerror(spawned));
    started_ = std::chrono::steady_clock::now();
  }
  ~BackgroundProgram() {
    if (!reaped_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  BackgroundProgram(const BackgroundProgram&) = delete;
  BackgroundProgram& operator=(const BackgroundProgram&) = delete;

  pid_t pid() const { return pid_; }
  // Seconds since the program was started.
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count(); }
  // True while the child has not ended (reaps it when it has).
  bool running() {
    if (reaped_) return false;
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) record(status);
    return !reaped_;
  }
  // Sends `signal` (no effect once the child has ended).
  void send_signal(int signal) {
    if (running()) ::kill(pid_, signal);
  }
  // What the child wrote so far.
  std::string out_so_far() const { return out_->contents(); }
  std::string err_so_far() const { return err_->contents(); }
  // Waits for the child to end (SIGKILL after `timeout`, then timed_out is set) and returns what it did.
  CliResult wait(std::chrono::milliseconds timeout = std::chrono::milliseconds(60'000)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running()) {
      if (std::chrono::steady_clock::now() >= deadline) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        record(status);
        result_.timed_out = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    result_.out = out_->contents();
    result_.err = err_->contents();
    return result_;
  }

 private:
  void record(int status) {
    reaped_ = true;
    if (WIFEXITED(status)) result_.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result_.signal = WTERMSIG(status);
  }

  std::unique_ptr<cli_runner_detail::CaptureFile> out_;
  std::unique_ptr<cli_runner_detail::CaptureFile> err_;
  pid_t pid_ = 0;
  bool reaped_ = false;
  CliResult result_;
  std::chrono::steady_clock::time_point started_;
};

// Runs `program` (a path, not searched in $PATH) with `args` and waits for it (SIGKILL after
// options.timeout: timed_out is then set). Throws std::runtime_error only when the program cannot be started.
inline CliResult run_program(const std::string& program, const std::vector<std::string>& args,
                             const CliOptions& options = {}) {
  return BackgroundProgram(program, args, options).wait(options.timeout);
}

#ifdef FUNDTRAIL_BINARY
// The fundtrail binary built with the tests. $FUNDTRAIL_DB is removed so a developer's setting cannot leak
// into a test: pass --db explicitly.
inline CliResult run_fundtrail(const std::vector<std::string>& args, CliOptions options = {}) {
  options.unset_env.push_back("FUNDTRAIL_DB");
  return run_program(FUNDTRAIL_BINARY, args, options);
}

// run_fundtrail() in the background (e.g. to interrupt it).
inline std::unique_ptr<BackgroundProgram> start_fundtrail(const std::vector<std::string>& args,
                                                          CliOptions options = {}) {
  options.unset_env.push_back("FUNDTRAIL_DB");
  return std::make_unique<BackgroundProgram>(FUNDTRAIL_BINARY, args, options);
}
#endif

}  // namespace fundtrail::cli
