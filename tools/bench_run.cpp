// Process timer for tools/bench: runs a command as a fresh process and reports its wall-clock time and its
// own peak RSS.
//
//   bench_run RESULT_FILE TIMEOUT_SECONDS STDIN|- STDOUT|- -- COMMAND [ARGS...]
//
// Writes "wall_seconds max_rss_kb exit_code timed_out max_rss_anon_kb max_rss_file_kb" to RESULT_FILE; the
// command's stderr is bench_run's. max_rss_kb is the kernel's exact peak (ru_maxrss); the anonymous (heap)
// and file-backed (mapped files: the graph snapshot, SQLite's mmap of the store) parts are the largest values
// seen by sampling /proc/PID/status every 10 ms, so a process shorter than that may show 0 for them.
// Why not time it from Python: a child forked from a big Python process starts with the parent's resident
// pages counted in its RSS, so ru_maxrss would report the bench's memory, not fundtrail's. This helper is a
// few hundred KiB when it forks. TIMEOUT_SECONDS 0 means none; on timeout the command is killed (SIGKILL).
//
// Built by tools/bench with: g++ -O2 -std=c++20 -pthread bench_run.cpp -o bench_run
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace {
volatile sig_atomic_t child_pid = 0;
volatile sig_atomic_t timed_out = 0;

void on_alarm(int) {
  timed_out = 1;
  if (child_pid > 0) kill(child_pid, SIGKILL);
}

// Largest RssAnon and RssFile of /proc/PID/status seen while `running`.
struct RssSampler {
  std::atomic<bool> running{true};
  long max_anon_kb = 0;
  long max_file_kb = 0;

  void sample(pid_t pid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/status", static_cast<int>(pid));
    while (running.load()) {
      if (FILE* status = std::fopen(path, "r")) {
        char line[256];
        while (std::fgets(line, sizeof line, status)) {
          long kb = 0;
          if (std::sscanf(line, "RssAnon: %ld", &kb) == 1 && kb > max_anon_kb) max_anon_kb = kb;
          if (std::sscanf(line, "RssFile: %ld", &kb) == 1 && kb > max_file_kb) max_file_kb = kb;
        }
        std::fclose(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
};

double now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 7 || std::strcmp(argv[5], "--") != 0) {
    std::fprintf(stderr, "usage: bench_run RESULT_FILE TIMEOUT_SECONDS STDIN|- STDOUT|- -- COMMAND [ARGS...]\n");
    return 2;
  }
  const char* result_path = argv[1];
  const double timeout = std::atof(argv[2]);
  const char* in_path = argv[3];
  const char* out_path = argv[4];

  struct sigaction action {};
  action.sa_handler = on_alarm;
  sigaction(SIGALRM, &action, nullptr);

  const double start = now();
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    return 2;
  }
  if (pid == 0) {
    if (std::strcmp(in_path, "-") != 0) {
      int fd = open(in_path, O_RDONLY);
      if (fd < 0 || dup2(fd, 0) < 0) _exit(127);
      close(fd);
    }
    if (std::strcmp(out_path, "-") != 0) {
      int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0 || dup2(fd, 1) < 0) _exit(127);
      close(fd);
    }
    execvp(argv[6], argv + 6);
    std::perror(argv[6]);
    _exit(127);
  }
  child_pid = pid;
  if (timeout > 0) {
    itimerval timer{};
    timer.it_value.tv_sec = static_cast<time_t>(timeout);
    timer.it_value.tv_usec = static_cast<suseconds_t>((timeout - static_cast<double>(timer.it_value.tv_sec)) * 1e6);
    setitimer(ITIMER_REAL, &timer, nullptr);
  }
  RssSampler sampler;
  std::thread sampling([&sampler, pid] { sampler.sample(pid); });
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) {
      std::perror("wait4");
      return 2;
    }
  }
  const double seconds = now() - start;
  sampler.running = false;
  sampling.join();
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  FILE* result = std::fopen(result_path, "w");
  if (!result) {
    std::perror(result_path);
    return 2;
  }
  std::fprintf(result, "%.6f %ld %d %d %ld %ld\n", seconds, usage.ru_maxrss, code, static_cast<int>(timed_out),
               sampler.max_anon_kb, sampler.max_file_kb);
  std::fclose(result);
  return 0;
}
