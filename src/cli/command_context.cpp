#include "command_context.hpp"

#include <spdlog/spdlog.h>

#include <future>

#include "fundtrail/core/address.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/graph/graph_snapshot.hpp"
#include "fundtrail/store/label_index.hpp"

namespace fundtrail::cli {

std::unique_ptr<store::CaseStore> open_store(const GlobalOptions& options, store::OpenMode mode) {
  return std::make_unique<store::CaseStore>(options.db_path, mode);
}

void refresh_read_caches(store::CaseStore& store) {
  auto labels = std::async(std::launch::async, [path = store.path()] {
    store::CaseStore second(path, store::OpenMode::MustExist);
    store::LabelIndex::refresh(second);
  });
  graph::load_graph(store);
  try {
    labels.get();
  } catch (const Error& error) {
    // The command's data is committed; without a current label index reports read labels from the store.
    spdlog::warn("label index of {} not brought up to date: {}", store.path(), error.what());
  }
}

core::Chain resolve_chain(const std::string& chain_option, const std::string& address) {
  if (!chain_option.empty()) {
    auto chain = core::parse_chain(chain_option);
    if (!chain) throw Error(ErrorKind::Usage, "unknown chain '" + chain_option + "' (use btc, eth, tron or generic)");
    return *chain;
  }
  auto inferred = core::infer_chain(address);
  if (!inferred) {
    throw Error(ErrorKind::Usage, "cannot tell the chain of '" + address.substr(0, 100) +
                                      "' from its format: pass --chain btc|eth|tron|generic");
  }
  return *inferred;
}

std::int64_t require_address(store::CaseStore& store, core::Chain chain, const std::string& address) {
  const std::string normalized = core::normalize_address(chain, address);
  auto id = store.find_address(chain, normalized);
  if (!id) {
    throw not_found("address " + normalized + " (" + std::string(core::to_string(chain)) + ") is not in the store " +
                    store.path());
  }
  return *id;
}

}  // namespace fundtrail::cli
