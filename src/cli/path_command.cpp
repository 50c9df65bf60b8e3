// `fundtrail path FROM TO` (implemented in graph/path_search)
#include <CLI/CLI.hpp>

#include "command_context.hpp"

namespace fundtrail::cli {
void register_path(CLI::App& app, GlobalOptions& options) {}
}  // namespace fundtrail::cli
