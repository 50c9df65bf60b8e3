// `fundtrail address ADDRESS`
#include <CLI/CLI.hpp>

#include "command_context.hpp"

namespace fundtrail::cli {
void register_address(CLI::App& app, GlobalOptions& options) {}
}  // namespace fundtrail::cli
