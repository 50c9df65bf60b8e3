#pragma once
// What every subcommand shares: the global options and helpers to open the store.
#include <memory>
#include <string>

#include "fundtrail/core/chain.hpp"
#include "fundtrail/store/case_store.hpp"

namespace CLI {
class App;
}

namespace fundtrail::cli {

struct GlobalOptions {
  std::string db_path;  // --db, else $FUNDTRAIL_DB, else ./fundtrail.db
  bool verbose = false;
  bool quiet = false;
};

std::unique_ptr<store::CaseStore> open_store(const GlobalOptions& options, store::OpenMode mode);

// After a command wrote to the store: brings the graph snapshot and the label index up to date with what it
// committed, side by side (the label index on a second connection), so the next trace starts at once and
// labels its answer without scattered store look-ups.
void refresh_read_caches(store::CaseStore& store);

// The chain of `address`: `chain_option` when given, otherwise inferred from the address format.
// Throws a usage error when neither works.
core::Chain resolve_chain(const std::string& chain_option, const std::string& address);

// Normalises `address` for `chain` and finds it in the store; throws fundtrail::Error(NotFound) with a
// clear message when the store has never seen it.
std::int64_t require_address(store::CaseStore& store, core::Chain chain, const std::string& address);

void register_import(CLI::App& app, GlobalOptions& options);
void register_trace(CLI::App& app, GlobalOptions& options);
void register_path(CLI::App& app, GlobalOptions& options);
void register_address(CLI::App& app, GlobalOptions& options);
void register_ingest(CLI::App& app, GlobalOptions& options);
void register_evidence(CLI::App& app, GlobalOptions& options);

}  // namespace fundtrail::cli
