#include "support/store_fixture.hpp"

#include <stdexcept>
#include <utility>

#include "fundtrail/core/asset.hpp"
#include "fundtrail/core/transfer.hpp"
#include "fundtrail/store/sqlite.hpp"
#include "fundtrail/store/transfer_writer.hpp"

namespace fundtrail::test {

TempCase::TempCase(core::Chain chain, std::string_view dir_prefix)
    : chain_(chain),
      dir_(dir_prefix),
      db_path_(dir_.file("case.db")),
      store_(std::make_unique<store::CaseStore>(db_path_, store::OpenMode::CreateIfMissing)) {}

TempCase::~TempCase() = default;

store::CaseStore& TempCase::store() {
  if (!store_) throw std::logic_error("the test case store is closed");
  return *store_;
}

void TempCase::close() { store_.reset(); }

void TempCase::open(store::OpenMode mode) {
  store_.reset();
  store_ = std::make_unique<store::CaseStore>(db_path_, mode);
}

TempCase& TempCase::add(const std::string& from, const std::string& to, core::UnixSeconds time,
                        const core::uint512& base_units, const std::string& asset) {
  pending_.push_back(Pending{from, to, time, base_units, asset});
  return *this;
}

TempCase& TempCase::add_display(const std::string& from, const std::string& to, core::UnixSeconds time,
                                const std::string& amount, const std::string& asset) {
  pending_.push_back(Pending{from, to, time, amount, asset});
  return *this;
}

bool TempCase::commit() {
  if (pending_.empty()) return false;
  store::CaseStore& case_store = store();
  store::Transaction transaction(case_store.db());
  store::TransferWriter writer(case_store);
  for (const Pending& p : pending_) {
    const bool known = core::known_asset(chain_, p.asset).has_value();
    const store::ResolvedAsset asset =
        writer.resolve_asset(chain_, p.asset, known ? std::nullopt : std::optional<unsigned>(0));
    core::Transfer t;
    t.chain = chain_;
    t.tx_hash = "tx" + std::to_string(++transactions_);
    t.from = p.from;
    t.to = p.to;
    t.asset = p.asset;
    t.decimals = asset.decimals;
    if (const auto* base_units = std::get_if<core::uint512>(&p.amount)) {
      t.amount = core::Amount(*base_units);
    } else {
      t.amount = core::Amount::parse_display(std::get<std::string>(p.amount), asset.decimals);
    }
    t.timestamp = p.time;
    writer.write(t, asset.id, std::nullopt);
  }
  case_store.bump_data_version();
  transaction.commit();
  pending_.clear();
  return true;
}

std::int64_t TempCase::address_id(const std::string& address) {
  const auto id = store().find_address(chain_, address);
  if (!id) throw std::runtime_error("no wallet " + address);
  return *id;
}

std::string TempCase::address(std::int64_t id) { return store().address(id).address; }

std::int64_t TempCase::asset_id(const std::string& symbol) {
  for (const auto& record : store().assets()) {
    if (record.info.symbol == symbol) return record.id;
  }
  throw std::runtime_error("no asset " + symbol);
}

}  // namespace fundtrail::test
