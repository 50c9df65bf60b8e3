#include "fundtrail/ingest/etherscan_json.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "fundtrail/core/address.hpp"
#include "fundtrail/core/asset.hpp"
#include "fundtrail/core/error.hpp"

namespace fundtrail::ingest {
namespace {

using nlohmann::json;

// Error answers are a few hundred bytes; a body larger than this is a result list, never worth parsing twice.
constexpr std::size_t kMaxErrorAnswerBytes = 64 * 1024;
// int64 holds every 18-digit number; blocks and timestamps are far below.
constexpr std::size_t kMaxInt64Digits = 18;
constexpr std::string_view kNoTransactions = "No transactions found";

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_hex_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

// One record being read: every accessor names the record and the field in its error.
class RecordReader {
 public:
  RecordReader(const json& record, std::string context) : record_(record), context_(std::move(context)) {
    if (!record_.is_object()) fail("is not a JSON object");
  }

  const std::string& text(const char* key) const {
    const auto found = record_.find(key);
    if (found == record_.end()) fail(std::string("has no field '") + key + "'");
    if (!found->is_string()) fail(std::string("field '") + key + "' is not a string");
    return found->get_ref<const std::string&>();
  }
  // A field absent in some record versions: "" when missing.
  std::string optional_text(const char* key) const {
    const auto found = record_.find(key);
    if (found == record_.end() || found->is_null()) return {};
    return text(key);
  }

  std::int64_t integer(const char* key) const {
    const std::string& value = text(key);
    if (!all_digits(value) || value.size() > kMaxInt64Digits) bad_value(key, value, "is not a decimal integer");
    return std::stoll(value);
  }

  // Base units (wei, token units): decimal digits only ("1e18", "-5", "0x10" are refused), < 2^256.
  core::Amount amount(const char* key) const {
    const std::string& value = text(key);
    if (!all_digits(value)) bad_value(key, value, "is not a decimal amount");
    try {
      return core::Amount::parse_base_units(value);
    } catch (const Error& error) {  // adds which record and field; the reason stays
      fail(std::string("field '") + key + "': " + error.what());
    }
  }

  std::string hash(const char* key) const {
    const std::string& value = text(key);
    const bool ok = value.size() == 66 && value[0] == '0' && (value[1] == 'x' || value[1] == 'X') &&
                    std::all_of(value.begin() + 2, value.end(), is_hex_digit);
    if (!ok) bad_value(key, value, "is not 0x + 64 hex digits");
    return lower(value);
  }

  std::string address(const char* key) const { return address_value(key, text(key)); }

  std::string address_value(const char* key, const std::string& value) const {
    try {
      return core::normalize_address(core::Chain::Eth, value);
    } catch (const Error& error) {
      fail(std::string("field '") + key + "': " + error.what());
    }
  }

  // "0"/"1" flags; `allow_empty` for txreceipt_status, which is "" before the Byzantium fork.
  bool flag(const char* key, bool allow_empty) const {
    const std::string value = allow_empty ? optional_text(key) : text(key);
    if (value == "1") return true;
    if (value == "0" || (allow_empty && value.empty())) return false;
    bad_value(key, value, "is not \"0\" or \"1\"");
  }

  [[noreturn]] void bad_value(const char* key, const std::string& value, const char* why) const {
    fail(std::string("field '") + key + "' " + why + ": " + printable_excerpt(value, 80, ExcerptStyle::QuotedUtf8));
  }
  [[noreturn]] void fail(const std::string& why) const { throw invalid_argument(context_ + ": " + why); }

 private:
  const json& record_;
  std::string context_;
};

AccountTransaction common_fields(const RecordReader& reader) {
  AccountTransaction tx;
  tx.hash = reader.hash("hash");
  tx.block_height = reader.integer("blockNumber");
  tx.timestamp = reader.integer("timeStamp");
  tx.evidence = 0;
  return tx;
}

AccountTransfer movement(TransferKind kind, std::string from, std::string to, core::Amount amount) {
  AccountTransfer transfer;
  transfer.kind = kind;
  transfer.from = std::move(from);
  transfer.to = std::move(to);
  transfer.amount = std::move(amount);
  transfer.evidence = 0;
  return transfer;
}

AccountTransaction read_txlist(const RecordReader& reader) {
  AccountTransaction tx = common_fields(reader);
  const std::string from = reader.address("from");
  const std::string& to = reader.text("to");
  const core::Amount value = reader.amount("value");
  tx.from = from;
  tx.failed = reader.flag("isError", false) || (reader.optional_text("txreceipt_status") == "0");
  reader.flag("txreceipt_status", true);  // validated even when isError decides
  tx.fee = core::Amount(reader.amount("gasUsed").value() * reader.amount("gasPrice").value());
  std::string receiver;
  if (to.empty()) {  // contract creation: the value goes to the new contract
    tx.type = "create";
    receiver = reader.address("contractAddress");
  } else {
    tx.type = "call";
    receiver = reader.address_value("to", to);
    tx.to = receiver;
  }
  if (!tx.failed && !value.is_zero()) tx.transfers.push_back(movement(TransferKind::Native, from, receiver, value));
  return tx;
}

AccountTransaction read_internal(const RecordReader& reader) {
  AccountTransaction tx = common_fields(reader);
  const std::string from = reader.address("from");
  const std::string& to = reader.text("to");
  const core::Amount value = reader.amount("value");
  const bool failed = reader.flag("isError", false);
  // A created contract has no `to`; the value lands on the new contract's address.
  const std::string receiver = to.empty() ? reader.address("contractAddress") : reader.address_value("to", to);
  if (!failed && !value.is_zero()) tx.transfers.push_back(movement(TransferKind::Internal, from, receiver, value));
  return tx;
}

AccountTransaction read_token(const RecordReader& reader) {
  AccountTransaction tx = common_fields(reader);
  AccountTransfer transfer =
      movement(TransferKind::Token, reader.address("from"), reader.address("to"), reader.amount("value"));
  transfer.asset.contract = reader.address("contractAddress");
  // Attacker-controlled text, kept exactly as given (a 10 kB name with markup is evidence too).
  if (std::string symbol = reader.optional_text("tokenSymbol"); !symbol.empty()) transfer.asset.symbol = symbol;
  if (std::string name = reader.optional_text("tokenName"); !name.empty()) transfer.asset.name = name;
  const std::string decimals = reader.optional_text("tokenDecimal");
  if (!decimals.empty()) {
    if (!all_digits(decimals) || decimals.size() > 2 || std::stoul(decimals) > core::kMaxDecimals) {
      reader.bad_value("tokenDecimal", decimals, "is not a decimal count 0 ... 77");
    }
    transfer.asset.decimals = static_cast<unsigned>(std::stoul(decimals));
  }
  tx.transfers.push_back(std::move(transfer));
  return tx;
}

std::vector<AccountTransaction> read_records(EtherscanAction action, const json& result, std::string_view context) {
  std::vector<AccountTransaction> transactions;
  transactions.reserve(result.size());
  for (std::size_t index = 0; index < result.size(); ++index) {
    const RecordReader reader(result[index], std::string(context) + ": " + std::string(to_string(action)) + " record " +
                                                 std::to_string(index));
    switch (action) {
      case EtherscanAction::TxList:
        transactions.push_back(read_txlist(reader));
        break;
      case EtherscanAction::TxListInternal:
        transactions.push_back(read_internal(reader));
        break;
      case EtherscanAction::TokenTx:
        transactions.push_back(read_token(reader));
        break;
    }
  }
  return transactions;
}

std::string json_text(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::string_view to_string(EtherscanAction action) {
  switch (action) {
    case EtherscanAction::TxList:
      return "txlist";
    case EtherscanAction::TxListInternal:
      return "txlistinternal";
    case EtherscanAction::TokenTx:
      return "tokentx";
  }
  return "?";
}

std::optional<EtherscanAction> parse_etherscan_action(std::string_view text) {
  for (const auto action : {EtherscanAction::TxList, EtherscanAction::TxListInternal, EtherscanAction::TokenTx}) {
    if (text == to_string(action)) return action;
  }
  return std::nullopt;
}

std::vector<AccountTransaction> parse_etherscan_answer(EtherscanAction action, const HttpResponse& response,
                                                       std::string_view context) {
  const std::string where(context);
  if (response.status != 200) {
    throw Error(ErrorKind::IoError, where + ": HTTP status " + std::to_string(response.status) + ": " +
                                        printable_excerpt(response.body, 200));
  }
  const json document = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    throw invalid_argument(
        where + ": the answer is not JSON (truncated, or an HTML page?): " + printable_excerpt(response.body, 120));
  }
  const auto status = document.is_object() ? document.find("status") : document.end();
  if (!document.is_object() || status == document.end() || !status->is_string() || !document.contains("result")) {
    throw invalid_argument(
        where + ": not an Etherscan answer (no status and result): " + printable_excerpt(response.body, 120));
  }
  const json& result = document["result"];
  const std::string message = document.contains("message") ? json_text(document["message"]) : std::string();
  if (*status == "1") {
    if (!result.is_array()) {
      throw invalid_argument(where +
                             ": status \"1\" but the result is not a list: " + printable_excerpt(result.dump(), 120));
    }
    return read_records(action, result, where);
  }
  if (*status == "0") {
    // The empty list of a wallet (or block range) without records of this kind; "No records found" is the
    // same answer from some other actions.
    if (result.is_array() && result.empty() &&
        (message.rfind(kNoTransactions, 0) == 0 || message.rfind("No records found", 0) == 0)) {
      return {};
    }
    throw Error(ErrorKind::IoError, where + ": etherscan answered " + printable_excerpt(message, 100) + ": " +
                                        printable_excerpt(json_text(result), 300));
  }
  throw invalid_argument(where + ": unknown status " + printable_excerpt(status->dump(), 40));
}

std::optional<std::string> etherscan_error_text(std::string_view body) {
  if (body.size() > kMaxErrorAnswerBytes) return std::nullopt;
  const json document = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object()) return std::nullopt;
  const auto status = document.find("status");
  const auto result = document.find("result");
  if (status == document.end() || *status != "0" || result == document.end() || !result->is_string()) {
    return std::nullopt;
  }
  return result->get<std::string>();
}

}  // namespace fundtrail::ingest
