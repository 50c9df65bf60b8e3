#pragma once
// A case store in a temporary directory, filled with hand-made transfers: the set-up that store, ingest,
// graph and report tests share. Store layer only (link fundtrail_test_support); graph_case.hpp adds the
// graph on top for the graph and report tests.
//
//   test::TempCase c(core::Chain::Generic, "fundtrail-mytest");
//   c.add("a", "b", 10);                  // 100 base units (1.00 USD) from wallet a to wallet b at t = 10
//   c.add_display("b", "c", 20, "0.5");   // 0.50 USD
//   c.commit();                           // one transaction, data_version + 1, as one import does
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fundtrail/core/amount.hpp"
#include "fundtrail/core/chain.hpp"
#include "fundtrail/core/timestamp.hpp"
#include "fundtrail/store/case_store.hpp"
#include "support/temp_dir.hpp"

namespace fundtrail::test {

class TempCase {
 public:
  // Creates <temp dir>/case.db (OpenMode::CreateIfMissing); transfers added later are on `chain`.
  explicit TempCase(core::Chain chain = core::Chain::Generic, std::string_view dir_prefix = "fundtrail-case");
  ~TempCase();
  TempCase(const TempCase&) = delete;
  TempCase& operator=(const TempCase&) = delete;

  const TempDir& dir() const { return dir_; }
  const std::string& db_path() const { return db_path_; }
  core::Chain chain() const { return chain_; }

  // The open store; std::logic_error after close().
  store::CaseStore& store();
  // Closes the store, as at the end of a command; open() opens db_path() again (also after its files were
  // deleted, with CreateIfMissing).
  void close();
  void open(store::OpenMode mode = store::OpenMode::MustExist);

  // Queues a transfer `from` -> `to` at `time` of `base_units` of `asset`. Well-known assets
  // (core::known_asset: on generic USD and EUR have 2 decimals, ETH 18) keep their decimals; any other is
  // created with 0. Every transfer is its own transaction, named tx1, tx2, ... in add() order over the
  // case's life, so transfer ids follow add() order too.
  TempCase& add(const std::string& from, const std::string& to, core::UnixSeconds time,
                const core::uint512& base_units = 100, const std::string& asset = "USD");
  // The same with an exact decimal amount in display units ("1.50" USD is 150 base units).
  TempCase& add_display(const std::string& from, const std::string& to, core::UnixSeconds time,
                        const std::string& amount, const std::string& asset = "USD");

  bool has_pending() const { return !pending_.empty(); }
  // Writes the queued transfers in one transaction and bumps data_version once, as one import does.
  // Returns false, changing nothing, when nothing is queued.
  bool commit();

  // Look-ups by name; std::runtime_error when the store has no such address / asset.
  std::int64_t address_id(const std::string& address);
  std::string address(std::int64_t id);
  std::int64_t asset_id(const std::string& symbol);

 private:
  struct Pending {
    std::string from;
    std::string to;
    core::UnixSeconds time = 0;
    std::variant<core::uint512, std::string> amount;  // base units, or display units
    std::string asset;
  };

  core::Chain chain_;
  TempDir dir_;
  std::string db_path_;
  std::unique_ptr<store::CaseStore> store_;
  std::vector<Pending> pending_;
  int transactions_ = 0;
};

}  // namespace fundtrail::test
