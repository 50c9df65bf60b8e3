// fundtrail: follow money through blockchains. Exit codes: 0 success, 1 runtime/data error, 2 usage error.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "command_context.hpp"
#include "fundtrail/core/error.hpp"

int main(int argc, char** argv) {
  using namespace fundtrail;
  // Reports can be millions of lines: no C stdio synchronisation, and a large output buffer.
  std::ios::sync_with_stdio(false);
  static char stdout_buffer[1 << 16];
  std::cout.rdbuf()->pubsetbuf(stdout_buffer, sizeof stdout_buffer);
  // Logs go to stderr so stdout carries only data.
  spdlog::set_default_logger(spdlog::stderr_color_mt("fundtrail"));
  spdlog::set_pattern("%^%l%$: %v");
  spdlog::set_level(spdlog::level::warn);

  CLI::App app{"fundtrail: trace funds through blockchains (BTC, ETH, TRON) and off-chain ledgers"};
  app.name("fundtrail");
  app.set_version_flag("--version", std::string("fundtrail ") + FUNDTRAIL_VERSION);
  app.require_subcommand(1);
  app.fallthrough();

  cli::GlobalOptions options;
  const char* env_db = std::getenv("FUNDTRAIL_DB");
  options.db_path = env_db != nullptr && *env_db != '\0' ? env_db : "fundtrail.db";
  app.add_option("--db", options.db_path, "Case store (SQLite file); default $FUNDTRAIL_DB or ./fundtrail.db")
      ->capture_default_str();
  app.add_flag("-v,--verbose", options.verbose, "Debug logging on stderr");
  app.add_flag("-q,--quiet", options.quiet, "No progress display or warnings on stderr");

  cli::register_import(app, options);
  cli::register_trace(app, options);
  cli::register_path(app, options);
  cli::register_address(app, options);
  cli::register_ingest(app, options);
  cli::register_evidence(app, options);

  app.parse_complete_callback([&options] {
    if (options.verbose) spdlog::set_level(spdlog::level::debug);
    if (options.quiet) spdlog::set_level(spdlog::level::err);
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2;
  } catch (const Error& error) {
    std::cerr << "error: " << error.what() << "\n";
    return error.kind() == ErrorKind::Usage ? 2 : 1;
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
