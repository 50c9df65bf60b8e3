// AccountWriter (account-model chains, schema v5): transactions with native, internal and token transfers,
// exact uint256 amounts, idempotent and merging writes (pages from several wallets' sides), failed
// transactions, detail merges, asset resolution (well-known contracts, hostile metadata, other EVM networks),
// the content-hashed transfer slots and probing past a taken slot; plus valid_utf8.
#include "fundtrail/store/account_writer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fundtrail/core/account_transaction.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/core/timestamp.hpp"
#include "fundtrail/core/transfer.hpp"
#include "fundtrail/store/case_store.hpp"
#include "fundtrail/store/label_index.hpp"
#include "fundtrail/store/sqlite.hpp"
#include "fundtrail/store/transfer_writer.hpp"
#include "support/error_matchers.hpp"
#include "support/store_fixture.hpp"

namespace fundtrail::store {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test::ThrowsError;

using core::AccountAsset;
using core::AccountTransaction;
using core::AccountTransfer;
using core::TransferKind;

constexpr const char* kAlice = "0x1111111111111111111111111111111111111111";
constexpr const char* kBob = "0x2222222222222222222222222222222222222222";
constexpr const char* kCarol = "0x3333333333333333333333333333333333333333";
constexpr const char* kDave = "0x4444444444444444444444444444444444444444";
constexpr const char* kRouter = "0x5555555555555555555555555555555555555555";
constexpr const char* kJoke = "0x6666666666666666666666666666666666666666";  // an unknown token
constexpr const char* kUsdt = "0xdac17f958d2ee523a2206206994597c13d831ec7";  // Tether USD on Ethereum mainnet
constexpr const char* kMaxUint256 =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";  // 2^256 - 1
constexpr const char* kOneEtherPlusOneWei = "1000000000000000001";                  // 10^18 + 1
constexpr core::UnixSeconds kT0 = 1709294400;                                       // 2024-03-01T12:00:00Z
constexpr std::uint32_t kRange = 1u << 22;
const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

std::string tx_hash(char fill) { return "0x" + std::string(64, fill); }

AccountAsset native() { return AccountAsset{}; }

AccountAsset token(const std::string& contract, std::optional<std::string> symbol, std::optional<unsigned> decimals) {
  AccountAsset asset;
  asset.contract = contract;
  asset.symbol = std::move(symbol);
  asset.decimals = decimals;
  return asset;
}

AccountTransfer transfer(TransferKind kind, const std::string& from, const std::string& to, const std::string& amount,
                         AccountAsset asset = {}) {
  AccountTransfer t;
  t.kind = kind;
  t.from = from;
  t.to = to;
  t.asset = std::move(asset);
  t.amount = core::Amount::parse_base_units(amount);
  return t;
}

AccountAsset joke() { return token(kJoke, "JOKE", 18u); }

AccountTransaction transaction(const std::string& hash, std::vector<AccountTransfer> transfers) {
  AccountTransaction tx;
  tx.hash = hash;
  tx.block_height = 19342000;
  tx.timestamp = kT0;
  tx.from = kAlice;
  tx.to = kRouter;
  tx.type = "call";
  tx.transfers = std::move(transfers);
  return tx;
}

// A transfer row as "<kind range> <from> -> <to> <amount> (<sqlite type>) <symbol>".
std::string kind_of_index(std::int64_t idx) {
  if (idx == 0) return "native";
  if (idx >= kRange && idx < 2 * kRange) return "internal";
  if (idx >= 2 * kRange && idx < 3 * kRange) return "token";
  return "index " + std::to_string(idx) + " out of every kind's range";
}

class AccountWriterTest : public ::testing::Test {
 protected:
  CaseStore& store() { return case_.store(); }

  AccountWriteResult write(AccountWriter& writer, const AccountTransaction& tx,
                           const std::vector<std::int64_t>& sources = {}) {
    Transaction db_tx(store().db());
    const AccountWriteResult result = writer.write(tx, sources);
    db_tx.commit();
    return result;
  }

  std::int64_t count(const std::string& table) {
    auto statement = store().db().prepare("SELECT count(*) FROM " + table);
    statement.step();
    return statement.column_int64(0);
  }

  std::string text(const std::string& sql, const std::string& parameter) {
    auto statement = store().db().prepare(sql);
    statement.bind(1, parameter);
    if (!statement.step()) return "(no row)";
    if (statement.is_null(0)) return "(null)";
    return statement.column_text(0);
  }

  // The transfers of `hash`, sorted (their indexes are content hashes, so their id order means nothing).
  std::vector<std::string> rows(const std::string& hash) {
    auto statement = store().db().prepare(
        "SELECT t.idx, fa.address, ta.address, CAST(t.amount AS TEXT), typeof(t.amount), s.symbol "
        "FROM transfers t JOIN transactions x ON x.id = t.tx_id JOIN addresses fa ON fa.id = t.from_id "
        "JOIN addresses ta ON ta.id = t.to_id JOIN assets s ON s.id = t.asset_id WHERE x.tx_hash = ?1");
    statement.bind(1, hash);
    std::vector<std::string> result;
    while (statement.step()) {
      result.push_back(kind_of_index(statement.column_int64(0)) + " " + statement.column_text(1) + " -> " +
                       statement.column_text(2) + " " + statement.column_text(3) + " (" + statement.column_text(4) +
                       ") " + statement.column_text(5));
    }
    std::sort(result.begin(), result.end());
    return result;
  }

  std::vector<std::int64_t> indexes(const std::string& hash) {
    auto statement = store().db().prepare(
        "SELECT t.idx FROM transfers t JOIN transactions x ON x.id = t.tx_id WHERE x.tx_hash = ?1 ORDER BY t.idx");
    statement.bind(1, hash);
    std::vector<std::int64_t> result;
    while (statement.step()) result.push_back(statement.column_int64(0));
    return result;
  }

  std::string status(const std::string& hash) {
    return text("SELECT a.status FROM account_transactions a JOIN transactions t ON t.id = a.tx_id WHERE t.tx_hash = ?1",
                hash);
  }

  void expect_foreign_keys_intact() {
    auto check = store().db().prepare("PRAGMA foreign_key_check");
    std::vector<std::string> violations;
    while (check.step()) violations.push_back(check.column_text(0) + " row " + std::to_string(check.column_int64(1)));
    EXPECT_THAT(violations, ::testing::IsEmpty());
  }

  static std::string row(const std::string& kind, const std::string& from, const std::string& to,
                         const std::string& amount, const std::string& type, const std::string& symbol) {
    return kind + " " + from + " -> " + to + " " + amount + " (" + type + ") " + symbol;
  }

  test::TempCase case_{core::Chain::Eth, "fundtrail-account"};
};

TEST_F(AccountWriterTest, StoresNativeInternalAndTokenTransfersWithExactAmounts) {
  AccountWriter writer(store(), core::Chain::Eth, 1);
  SourceInfo http;
  http.kind = "http";
  http.provider = "jsonrpc";
  http.locator = "https://rpc.example/ eth_getLogs";
  http.fetched_at = kT0 + 100;
  http.status = 200;
  std::int64_t page_source = 0;
  std::int64_t trace_source = 0;
  {
    Transaction db_tx(store().db());
    page_source = writer.transfers().add_source(http);
    trace_source = writer.transfers().add_source(http);
    db_tx.commit();
  }

  AccountTransaction tx = transaction(
      tx_hash('a'), {transfer(TransferKind::Native, kAlice, kRouter, kOneEtherPlusOneWei, native()),
                     transfer(TransferKind::Internal, kRouter, kBob, "5", native()),
                     transfer(TransferKind::Token, kAlice, kCarol, kMaxUint256, joke())});
  tx.fee = core::Amount::parse_base_units("21000000000000");
  tx.evidence = 0;
  tx.transfers[1].evidence = 1;
  tx.transfers[2].evidence = 0;
  const AccountWriteResult result = write(writer, tx, {page_source, trace_source});
  EXPECT_TRUE(result.new_transaction);
  EXPECT_EQ(result.new_transfers, 3u);

  EXPECT_THAT(rows(tx_hash('a')),
              ElementsAre(row("internal", kRouter, kBob, "5", "integer", "ETH"),
                          row("native", kAlice, kRouter, kOneEtherPlusOneWei, "integer", "ETH"),
                          row("token", kAlice, kCarol, kMaxUint256, "text", "JOKE")));
  EXPECT_EQ(indexes(tx_hash('a')).front(), 0) << "the transaction's own value is index 0";

  // The transaction row and its details.
  EXPECT_EQ(text("SELECT block_height FROM transactions WHERE tx_hash = ?1", tx_hash('a')), "19342000");
  EXPECT_EQ(text("SELECT timestamp FROM transactions WHERE tx_hash = ?1", tx_hash('a')), std::to_string(kT0));
  EXPECT_EQ(text("SELECT source_id FROM transactions WHERE tx_hash = ?1", tx_hash('a')), std::to_string(page_source));
  EXPECT_EQ(status(tx_hash('a')), "success");
  auto details = store().db().prepare(
      "SELECT a.network, a.sender, a.callee, a.fee, typeof(a.fee), a.type FROM account_transactions a "
      "JOIN transactions t ON t.id = a.tx_id WHERE t.tx_hash = ?1");
  details.bind(1, tx_hash('a'));
  ASSERT_TRUE(details.step());
  EXPECT_EQ(details.column_int64(0), 1);
  EXPECT_EQ(details.column_text(1), kAlice);
  EXPECT_EQ(details.column_text(2), kRouter);
  EXPECT_EQ(details.column_text(3), "21000000000000");
  EXPECT_EQ(details.column_text(4), "text");
  EXPECT_EQ(details.column_text(5), "call");

  // Every transfer points at the response it was read from.
  auto sources = store().db().prepare(
      "SELECT CAST(t.amount AS TEXT), t.source_id FROM transfers t ORDER BY CAST(t.amount AS TEXT)");
  std::vector<std::string> transfer_sources;
  while (sources.step()) transfer_sources.push_back(sources.column_text(0) + "@" + std::to_string(sources.column_int64(1)));
  EXPECT_THAT(transfer_sources, ElementsAre(std::string(kOneEtherPlusOneWei) + "@" + std::to_string(page_source),
                                            std::string(kMaxUint256) + "@" + std::to_string(page_source),
                                            "5@" + std::to_string(trace_source)));

  // The token is keyed by its contract on the main network, with the provider's symbol and decimals.
  EXPECT_EQ(text("SELECT symbol || '/' || decimals || '/' || contract FROM assets WHERE asset_key = ?1", kJoke),
            std::string("JOKE/18/") + kJoke);
  expect_foreign_keys_intact();
}

TEST_F(AccountWriterTest, WritingTheSameTransactionAgainAddsNothing) {
  const AccountTransaction tx = transaction(
      tx_hash('b'), {transfer(TransferKind::Native, kAlice, kRouter, kOneEtherPlusOneWei, native()),
                     transfer(TransferKind::Internal, kRouter, kBob, "5", native()),
                     transfer(TransferKind::Token, kAlice, kCarol, kMaxUint256, joke())});
  AccountWriter writer(store(), core::Chain::Eth, 1);
  const AccountWriteResult first = write(writer, tx);
  EXPECT_TRUE(first.new_transaction);
  EXPECT_EQ(first.new_transfers, 3u);

  const AccountWriteResult again = write(writer, tx);
  EXPECT_FALSE(again.new_transaction);
  EXPECT_EQ(again.new_transfers, 0u);

  // A later command (fresh writer, empty caches) too.
  AccountWriter later(store(), core::Chain::Eth, 1);
  const AccountWriteResult third = write(later, tx);
  EXPECT_FALSE(third.new_transaction);
  EXPECT_EQ(third.new_transfers, 0u);

  EXPECT_EQ(count("transfers"), 3);
  EXPECT_EQ(count("transactions"), 1);
  EXPECT_EQ(count("account_transactions"), 1);
  EXPECT_EQ(count("assets"), 2);  // ETH and JOKE
  expect_foreign_keys_intact();
}

TEST_F(AccountWriterTest, PagesOfOneTransactionFromTwoWalletsMerge) {
  const AccountTransfer t1 = transfer(TransferKind::Native, kAlice, kBob, "1000000000000000000", native());
  const AccountTransfer t2 = transfer(TransferKind::Token, kAlice, kCarol, "5000000000000000000", joke());
  const AccountTransfer t3 = transfer(TransferKind::Token, kCarol, kDave, "4000000000000000000", joke());
  AccountWriter writer(store(), core::Chain::Eth, 1);

  const AccountWriteResult page1 = write(writer, transaction(tx_hash('c'), {t1, t2}));  // Alice's side
  EXPECT_TRUE(page1.new_transaction);
  EXPECT_EQ(page1.new_transfers, 2u);
  const AccountWriteResult page2 = write(writer, transaction(tx_hash('c'), {t2, t3}));  // Carol's side
  EXPECT_FALSE(page2.new_transaction);
  EXPECT_EQ(page2.new_transfers, 1u) << "T2 was already stored from Alice's page";

  EXPECT_THAT(rows(tx_hash('c')),
              ElementsAre(row("native", kAlice, kBob, "1000000000000000000", "integer", "ETH"),
                          row("token", kAlice, kCarol, "5000000000000000000", "integer", "JOKE"),
                          row("token", kCarol, kDave, "4000000000000000000", "integer", "JOKE")));
  EXPECT_EQ(count("transactions"), 1);
  expect_foreign_keys_intact();
}

TEST_F(AccountWriterTest, IdenticalTokenTransfersInOneTransactionAreBothKept) {
  const AccountTransfer same = transfer(TransferKind::Token, kAlice, kBob, "250", joke());
  AccountWriter writer(store(), core::Chain::Eth, 1);
  const AccountWriteResult first = write(writer, transaction(tx_hash('d'), {same, same}));
  EXPECT_EQ(first.new_transfers, 2u);
  EXPECT_THAT(rows(tx_hash('d')), ElementsAre(row("token", kAlice, kBob, "250", "integer", "JOKE"),
                                              row("token", kAlice, kBob, "250", "integer", "JOKE")));
  const std::vector<std::int64_t> slots = indexes(tx_hash('d'));
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_NE(slots[0], slots[1]);

  // The same page again: both are duplicates.
  EXPECT_EQ(write(writer, transaction(tx_hash('d'), {same, same})).new_transfers, 0u);
  EXPECT_EQ(count("transfers"), 2);
}

TEST_F(AccountWriterTest, FailedTransactionIsStoredWithoutTransfers) {
  AccountTransaction tx = transaction(
      tx_hash('e'), {transfer(TransferKind::Native, kAlice, kRouter, kOneEtherPlusOneWei, native()),
                     transfer(TransferKind::Token, kAlice, kCarol, "7", joke())});
  tx.failed = true;
  tx.fee = core::Amount::parse_base_units("63000000000000");
  AccountWriter writer(store(), core::Chain::Eth, 1);
  const AccountWriteResult result = write(writer, tx);
  EXPECT_TRUE(result.new_transaction);
  EXPECT_EQ(result.new_transfers, 0u);
  EXPECT_EQ(status(tx_hash('e')), "failed");
  EXPECT_EQ(count("transfers"), 0);
  EXPECT_EQ(count("transactions"), 1);
  EXPECT_EQ(text("SELECT a.fee FROM account_transactions a JOIN transactions t ON t.id = a.tx_id WHERE t.tx_hash = ?1",
                 tx_hash('e')),
            "63000000000000");
  expect_foreign_keys_intact();
}

TEST_F(AccountWriterTest, LaterSuccessRecordDoesNotTurnFailedIntoSuccess) {
  AccountTransaction failed = transaction(tx_hash('f'), {});
  failed.failed = true;
  AccountWriter writer(store(), core::Chain::Eth, 1);
  write(writer, failed);
  ASSERT_EQ(status(tx_hash('f')), "failed");

  AccountTransaction success = transaction(tx_hash('f'), {});
  const AccountWriteResult result = write(writer, success);
  EXPECT_FALSE(result.new_transaction);
  EXPECT_EQ(status(tx_hash('f')), "failed");
  EXPECT_EQ(count("account_transactions"), 1);
}

// The contract: a failed transaction "moves no value" and is stored "with no transfers". A provider that
// later lists the same transaction as successful with transfers must not add transfers to the stored failure.
TEST_F(AccountWriterTest, LaterSuccessRecordAddsNoTransfersToAFailedTransaction) {
  AccountTransaction failed = transaction(tx_hash('9'), {});
  failed.failed = true;
  AccountWriter writer(store(), core::Chain::Eth, 1);
  write(writer, failed);

  const AccountTransaction success = transaction(
      tx_hash('9'), {transfer(TransferKind::Native, kAlice, kRouter, kOneEtherPlusOneWei, native()),
                     transfer(TransferKind::Token, kAlice, kCarol, "7", joke())});
  const AccountWriteResult result = write(writer, success);
  EXPECT_EQ(status(tx_hash('9')), "failed");
  EXPECT_EQ(result.new_transfers, 0u);
  EXPECT_EQ(count("transfers"), 0) << "a transaction stored as failed now moves value";
}

TEST_F(AccountWriterTest, DetailsMergeFillsMissingFieldsAndKeepsStoredOnes) {
  AccountWriter writer(store(), core::Chain::Eth, 1);
  AccountTransaction first = transaction(tx_hash('1'), {});
  first.fee.reset();
  first.type = "";
  first.to = kRouter;
  write(writer, first);

  AccountTransaction second = transaction(tx_hash('1'), {});
  second.fee = core::Amount::parse_base_units(kMaxUint256);  // a fee beyond 64 bits, kept exactly
  second.type = "call";
  second.to = kDave;    // another provider's idea of the callee: the stored one stays
  second.from = kBob;   // likewise the sender
  write(writer, second);

  auto details = store().db().prepare(
      "SELECT a.sender, a.callee, a.fee, a.type, a.status FROM account_transactions a "
      "JOIN transactions t ON t.id = a.tx_id WHERE t.tx_hash = ?1");
  details.bind(1, tx_hash('1'));
  ASSERT_TRUE(details.step());
  EXPECT_EQ(details.column_text(0), kAlice);
  EXPECT_EQ(details.column_text(1), kRouter);
  EXPECT_EQ(details.column_text(2), kMaxUint256) << "the fee was not filled in";
  EXPECT_EQ(details.column_text(3), "call");
  EXPECT_EQ(details.column_text(4), "success");
  EXPECT_FALSE(details.step());
}

TEST_F(AccountWriterTest, BlockHeightIsFilledWhenFirstUnknown) {
  AccountWriter writer(store(), core::Chain::Eth, 1);
  AccountTransaction pending = transaction(tx_hash('2'), {});
  pending.block_height.reset();
  write(writer, pending);
  EXPECT_EQ(text("SELECT block_height FROM transactions WHERE tx_hash = ?1", tx_hash('2')), "(null)");

  AccountTransaction mined = transaction(tx_hash('2'), {});
  mined.block_height = 19342001;
  write(writer, mined);
  EXPECT_EQ(text("SELECT block_height FROM transactions WHERE tx_hash = ?1", tx_hash('2')), "19342001");

  AccountTransaction unknown_again = transaction(tx_hash('2'), {});
  unknown_again.block_height.reset();
  write(writer, unknown_again);
  EXPECT_EQ(text("SELECT block_height FROM transactions WHERE tx_hash = ?1", tx_hash('2')), "19342001")
      << "a record without a height erased the stored one";
}

TEST_F(AccountWriterTest, FillingInTheHeightOfAnEarlierTransactionMakesLabelIndexesStale) {
  const auto rewrites = [this] { return store().meta(kLabelRewritesKey).value_or("0"); };
  AccountTransaction pending = transaction(tx_hash('3'), {});
  pending.block_height.reset();
  AccountTransaction mined = transaction(tx_hash('3'), {});
  mined.block_height = 19342002;
  {
    AccountWriter writer(store(), core::Chain::Eth, 1);
    write(writer, pending);
    write(writer, mined);  // added by this writer: no label index can hold it yet
  }
  EXPECT_EQ(rewrites(), "0");

  AccountTransaction other = transaction(tx_hash('4'), {});
  other.block_height.reset();
  {
    AccountWriter writer(store(), core::Chain::Eth, 1);
    write(writer, other);
  }
  other.block_height = 19342003;
  AccountWriter later(store(), core::Chain::Eth, 1);  // a later command: an index may hold the missing height
  write(later, other);
  EXPECT_EQ(rewrites(), "1");
}

TEST_F(AccountWriterTest, TimestampContradictionThrowsNamingTheTransaction) {
  AccountWriter writer(store(), core::Chain::Eth, 1);
  write(writer, transaction(tx_hash('3'), {transfer(TransferKind::Token, kAlice, kBob, "1", joke())}));

  AccountTransaction later = transaction(tx_hash('3'), {transfer(TransferKind::Token, kAlice, kCarol, "2", joke())});
  later.timestamp = kT0 + 12;
  Transaction db_tx(store().db());
  EXPECT_THAT([&] { writer.write(later, {}); },
              ThrowsError(ErrorKind::InvalidArgument,
                          AllOf(HasSubstr(tx_hash('3')), HasSubstr(core::format_iso8601(kT0)),
                                HasSubstr(core::format_iso8601(kT0 + 12)))));
}

TEST_F(AccountWriterTest, WellKnownUsdtContractKeepsItsSymbolAndDecimals) {
  AccountWriter writer(store(), core::Chain::Eth, 1);
  const AccountTransaction tx = transaction(
      tx_hash('4'), {transfer(TransferKind::Token, kAlice, kBob, "1500000", token(kUsdt, "FAKE", 18u))});
  EXPECT_EQ(write(writer, tx).new_transfers, 1u);
  EXPECT_THAT(rows(tx_hash('4')), ElementsAre(row("token", kAlice, kBob, "1500000", "integer", "USDT")));
  EXPECT_EQ(text("SELECT symbol || '/' || decimals FROM assets WHERE asset_key = ?1", kUsdt), "USDT/6");
  EXPECT_EQ(text("SELECT count(*) FROM assets WHERE symbol = ?1", "FAKE"), "0");

  // It is the very asset a CSV import of "USDT" on eth resolves to.
  Transaction db_tx(store().db());
  const ResolvedAsset from_symbol = writer.transfers().resolve_asset(core::Chain::Eth, "USDT", std::nullopt);
  const ResolvedAsset from_contract = writer.resolve(token(kUsdt, "FAKE", 18u), "check");
  EXPECT_EQ(from_symbol.id, from_contract.id);
  EXPECT_EQ(from_contract.decimals, 6u);
}

TEST_F(AccountWriterTest, HostileSymbolIsStoredVerbatim) {
  const std::string hostile = "<script>\x1b[31m" + std::string(10 * 1024, 'A');
  AccountWriter writer(store(), core::Chain::Eth, 1);
  write(writer,
        transaction(tx_hash('5'), {transfer(TransferKind::Token, kAlice, kBob, "1", token(kJoke, hostile, 0u))}));
  const std::string stored = text("SELECT symbol FROM assets WHERE asset_key = ?1", kJoke);
  EXPECT_EQ(stored.size(), hostile.size());
  EXPECT_TRUE(stored == hostile) << "the symbol was changed on its way into the store";
}

TEST_F(AccountWriterTest, InvalidUtf8InASymbolBecomesReplacementCharacters) {
  AccountWriter writer(store(), core::Chain::Eth, 1);
  const std::string symbol = "US\xff" "DT\xc3";  // a stray 0xFF and a 2-byte sequence cut off at the end
  write(writer, transaction(tx_hash('6'), {transfer(TransferKind::Token, kAlice, kBob, "1", token(kJoke, symbol, 6u))}));
  EXPECT_EQ(text("SELECT symbol FROM assets WHERE asset_key = ?1", kJoke), "US" + kReplacement + "DT" + kReplacement);
}

TEST_F(AccountWriterTest, UnknownTokenWithoutDecimalsIsRefused) {
  AccountWriter writer(store(), core::Chain::Eth, 1);
  Transaction db_tx(store().db());
  EXPECT_THAT(
      [&] {
        writer.write(transaction(
                         tx_hash('7'),
                         {transfer(TransferKind::Token, kAlice, kBob, "1", token(kJoke, "JOKE", std::nullopt))}),
                     {});
      },
      ThrowsError(ErrorKind::InvalidArgument, AllOf(HasSubstr(kJoke), HasSubstr("decimals"), HasSubstr(tx_hash('7')))));
}

TEST_F(AccountWriterTest, OtherNetworksKeyAssetsByNetwork) {
  AccountWriter bsc(store(), core::Chain::Eth, 56);
  const AccountTransaction on_bsc = transaction(
      tx_hash('8'), {transfer(TransferKind::Native, kAlice, kBob, "2000000000000000000", native()),
                     transfer(TransferKind::Token, kAlice, kBob, "3", token(kJoke, "BUSD", 18u))});
  EXPECT_EQ(write(bsc, on_bsc).new_transfers, 2u);
  EXPECT_THAT(rows(tx_hash('8')), ElementsAre(row("native", kAlice, kBob, "2000000000000000000", "integer", "BNB"),
                                              row("token", kAlice, kBob, "3", "integer", "BUSD")));
  EXPECT_EQ(text("SELECT symbol || '/' || decimals || '/' || contract FROM assets WHERE asset_key = ?1", "native:56"),
            "BNB/18/");
  EXPECT_EQ(text("SELECT symbol || '/' || decimals || '/' || contract FROM assets WHERE asset_key = ?1",
                 std::string("56:") + kJoke),
            std::string("BUSD/18/") + kJoke);
  EXPECT_EQ(text("SELECT a.network FROM account_transactions a JOIN transactions t ON t.id = a.tx_id "
                 "WHERE t.tx_hash = ?1",
                 tx_hash('8')),
            "56");

  // The same contract on Ethereum mainnet is another asset; so is the native coin.
  AccountWriter eth(store(), core::Chain::Eth, 1);
  Transaction db_tx(store().db());
  const ResolvedAsset token_on_eth = eth.resolve(token(kJoke, "BUSD", 18u), "check");
  const ResolvedAsset token_on_bsc = bsc.resolve(token(kJoke, "BUSD", 18u), "check");
  EXPECT_NE(token_on_eth.id, token_on_bsc.id);
  EXPECT_NE(eth.resolve(native(), "check").id, bsc.resolve(native(), "check").id);
  EXPECT_EQ(text("SELECT count(*) FROM assets WHERE contract = ?1", kJoke), "2");
  db_tx.commit();
  expect_foreign_keys_intact();
}

TEST_F(AccountWriterTest, TransferProbesPastASlotTakenByAnotherTransfer) {
  const AccountTransaction tx =
      transaction(tx_hash('0'), {transfer(TransferKind::Token, kAlice, kBob, "777", joke())});

  // Where the token transfer lands in an empty store.
  std::int64_t slot = 0;
  {
    test::TempCase scratch(core::Chain::Eth, "fundtrail-account-scratch");
    AccountWriter writer(scratch.store(), core::Chain::Eth, 1);
    Transaction db_tx(scratch.store().db());
    ASSERT_EQ(writer.write(tx, {}).new_transfers, 1u);
    auto find = scratch.store().db().prepare("SELECT idx FROM transfers");
    ASSERT_TRUE(find.step());
    slot = find.column_int64(0);
    db_tx.commit();
  }
  ASSERT_GE(slot, 2 * static_cast<std::int64_t>(kRange));
  ASSERT_LT(slot + kAccountProbeSpan - 1, 3 * static_cast<std::int64_t>(kRange));

  // Here another transfer of the same transaction and token already holds that slot.
  AccountWriter writer(store(), core::Chain::Eth, 1);
  {
    Transaction db_tx(store().db());
    const ResolvedAsset asset = writer.resolve(joke(), "setup");
    TransferWriter direct(store());
    core::Transfer other;
    other.chain = core::Chain::Eth;
    other.tx_hash = tx_hash('0');
    other.index = static_cast<std::uint32_t>(slot);
    other.from = kCarol;
    other.to = kDave;
    other.asset = "JOKE";
    other.decimals = 18;
    other.amount = core::Amount::parse_base_units("1");
    other.block_height = 19342000;
    other.timestamp = kT0;
    ASSERT_EQ(direct.write(other, asset.id, std::nullopt), WriteOutcome::Inserted);
    db_tx.commit();
  }

  EXPECT_EQ(write(writer, tx).new_transfers, 1u);
  EXPECT_THAT(indexes(tx_hash('0')), ElementsAre(slot, slot + 1));
  auto at = [&](std::int64_t idx) {
    auto statement = store().db().prepare(
        "SELECT fa.address || ' -> ' || ta.address || ' ' || CAST(t.amount AS TEXT) FROM transfers t "
        "JOIN addresses fa ON fa.id = t.from_id JOIN addresses ta ON ta.id = t.to_id WHERE t.idx = ?1");
    statement.bind(1, idx);
    return statement.step() ? statement.column_text(0) : std::string("(none)");
  };
  EXPECT_EQ(at(slot), std::string(kCarol) + " -> " + kDave + " 1");
  EXPECT_EQ(at(slot + 1), std::string(kAlice) + " -> " + kBob + " 777");

  // Written again (same writer, then a fresh one): found at slot + 1, a duplicate, not a third row.
  EXPECT_EQ(write(writer, tx).new_transfers, 0u);
  AccountWriter later(store(), core::Chain::Eth, 1);
  EXPECT_EQ(write(later, tx).new_transfers, 0u);
  EXPECT_EQ(count("transfers"), 2);
  expect_foreign_keys_intact();
}

TEST_F(AccountWriterTest, ForeignKeysHoldAfterMixedWrites) {
  AccountWriter eth(store(), core::Chain::Eth, 1);
  AccountWriter bsc(store(), core::Chain::Eth, 56);
  AccountTransaction failed = transaction(tx_hash('c'), {transfer(TransferKind::Token, kAlice, kBob, "1", joke())});
  failed.failed = true;
  write(eth, failed);
  write(eth, transaction(tx_hash('d'), {transfer(TransferKind::Token, kAlice, kBob, "2", token(kUsdt, "USDT", 6u)),
                                        transfer(TransferKind::Internal, kRouter, kAlice, "3", native())}));
  write(bsc, transaction(tx_hash('e'), {transfer(TransferKind::Native, kBob, kCarol, "4", native())}));
  EXPECT_EQ(count("transfers"), 3);
  EXPECT_EQ(count("account_transactions"), 3);
  expect_foreign_keys_intact();
}

// ---- valid_utf8 ----

TEST(AccountWriterValidUtf8, KeepsValidTextOfEveryLength) {
  EXPECT_EQ(valid_utf8(""), "");
  EXPECT_EQ(valid_utf8("USDT <b>&amp;</b>\x1b[0m"), "USDT <b>&amp;</b>\x1b[0m");
  EXPECT_EQ(valid_utf8("caf\xC3\xA9"), "caf\xC3\xA9");                           // U+00E9, 2 bytes
  EXPECT_EQ(valid_utf8("\xE2\x82\xAC" "1"), "\xE2\x82\xAC" "1");                 // U+20AC euro sign, 3 bytes
  EXPECT_EQ(valid_utf8("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");                 // U+1F600 emoji, 4 bytes
  EXPECT_EQ(valid_utf8("\xF4\x8F\xBF\xBF"), "\xF4\x8F\xBF\xBF");                 // U+10FFFF, the last code point
  EXPECT_EQ(valid_utf8("\xED\x9F\xBF"), "\xED\x9F\xBF");                         // U+D7FF, just below the surrogates
  EXPECT_EQ(valid_utf8(std::string("a\0b", 3)), std::string("a\0b", 3));
}

// One U+FFFD for each byte that does not start a valid sequence (the sequence's other bytes are then
// stray continuation bytes, each replaced in turn).
TEST(AccountWriterValidUtf8, ReplacesOverlongForms) {
  EXPECT_EQ(valid_utf8("a\xC0\xAF" "b"), "a" + kReplacement + kReplacement + "b");  // '/' as 2 bytes
  EXPECT_EQ(valid_utf8("\xC1\xBF"), kReplacement + kReplacement);                    // U+007F as 2 bytes
  EXPECT_EQ(valid_utf8("\xE0\x80\xAF"), kReplacement + kReplacement + kReplacement);  // '/' as 3 bytes
  EXPECT_EQ(valid_utf8("\xF0\x82\x82\xAC"),                                          // euro sign as 4 bytes
            kReplacement + kReplacement + kReplacement + kReplacement);
}

TEST(AccountWriterValidUtf8, ReplacesSurrogatesAndCodePointsBeyondU10FFFF) {
  EXPECT_EQ(valid_utf8("x\xED\xA0\x80y"), "x" + kReplacement + kReplacement + kReplacement + "y");  // U+D800
  EXPECT_EQ(valid_utf8("\xED\xBF\xBF"), kReplacement + kReplacement + kReplacement);              // U+DFFF
  EXPECT_EQ(valid_utf8("\xF4\x90\x80\x80"), kReplacement + kReplacement + kReplacement + kReplacement);  // U+110000
}

TEST(AccountWriterValidUtf8, ReplacesTruncatedAndStrayBytes) {
  EXPECT_EQ(valid_utf8("ok\xE2\x82"), "ok" + kReplacement + kReplacement) << "3-byte sequence cut off at the end";
  EXPECT_EQ(valid_utf8("\xE2\x82"), kReplacement + kReplacement);
  EXPECT_EQ(valid_utf8("\xF0\x9F\x98"), kReplacement + kReplacement + kReplacement);
  EXPECT_EQ(valid_utf8("\x80"), kReplacement);
  EXPECT_EQ(valid_utf8("\xFF\xFE"), kReplacement + kReplacement);
  EXPECT_EQ(valid_utf8("\xE2" "A\xAC"), kReplacement + "A" + kReplacement) << "a lead byte without continuations";
  // The emoji after a broken sequence is kept whole.
  EXPECT_EQ(valid_utf8("\xC3\xF0\x9F\x98\x80"), kReplacement + "\xF0\x9F\x98\x80");
}

TEST(AccountWriterValidUtf8, OutputIsAlwaysValidForJson) {
  std::string every_byte;
  for (int b = 0; b < 256; ++b) every_byte.push_back(static_cast<char>(b));
  const std::string repaired = valid_utf8(every_byte + "\xE2\x82");
  EXPECT_NO_THROW((void)nlohmann::json(repaired).dump());
  EXPECT_EQ(valid_utf8(repaired), repaired) << "repairing is idempotent";
  // 128 ASCII bytes kept, 128 other bytes (none starts a complete sequence here) + 2 truncated ones replaced.
  EXPECT_EQ(repaired, every_byte.substr(0, 128) + [] {
    std::string r;
    for (int i = 0; i < 130; ++i) r += kReplacement;
    return r;
  }());
}

// ---- account_transfer_slot ----

TEST(AccountWriterSlot, KindsHaveDisjointRangesAndSlotsAreDeterministic) {
  std::set<std::uint32_t> internal_slots;
  std::set<std::uint32_t> token_slots;
  for (int i = 0; i < 500; ++i) {
    const std::string identity = "2|" + std::string(kJoke) + "|" + kAlice + "|" + kBob + "|" + std::to_string(i) + "|0";
    EXPECT_EQ(account_transfer_slot(TransferKind::Native, identity), 0u);

    const std::uint32_t internal = account_transfer_slot(TransferKind::Internal, identity);
    EXPECT_GE(internal, kRange) << identity;
    EXPECT_LT(internal + kAccountProbeSpan - 1, 2 * kRange) << "probing would leave the internal range: " << identity;
    internal_slots.insert(internal);

    const std::uint32_t token_slot = account_transfer_slot(TransferKind::Token, identity);
    EXPECT_GE(token_slot, 2 * kRange) << identity;
    EXPECT_LT(token_slot + kAccountProbeSpan - 1, 3 * kRange) << "probing would leave the token range: " << identity;
    token_slots.insert(token_slot);

    EXPECT_EQ(account_transfer_slot(TransferKind::Token, identity), token_slot) << "not deterministic";
    EXPECT_EQ(account_transfer_slot(TransferKind::Internal, identity), internal) << "not deterministic";
  }
  // The content spreads over the range: 500 identities land on (nearly) 500 slots.
  EXPECT_GE(internal_slots.size(), 495u);
  EXPECT_GE(token_slots.size(), 495u);
  EXPECT_EQ(account_transfer_slot(TransferKind::Native, ""), 0u);
}

}  // namespace
}  // namespace fundtrail::store
