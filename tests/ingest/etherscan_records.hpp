#pragma once
// Etherscan records and answers for the Etherscan unit tests: synthetic addresses and hashes, records with
// every field a string (as the API sends them), the {status, message, result} envelope.
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fundtrail/ingest/http_transport.hpp"

namespace fundtrail::ingest::test {

// "0x" + 40 lower-case hex digits ending in `n`.
inline std::string address_n(std::uint64_t n) {
  char digits[41];
  std::snprintf(digits, sizeof digits, "%040llx", static_cast<unsigned long long>(n));
  return std::string("0x") + digits;
}

// "0x" + 64 hex digits ending in `n`.
inline std::string hash_n(std::uint64_t n) {
  char digits[65];
  std::snprintf(digits, sizeof digits, "%064llx", static_cast<unsigned long long>(n));
  return std::string("0x") + digits;
}

inline nlohmann::json txlist_record(std::uint64_t hash, std::int64_t block, const std::string& from,
                                    const std::string& to, const std::string& value) {
  return {{"blockNumber", std::to_string(block)},
          {"timeStamp", std::to_string(1700000000 + block * 12)},
          {"hash", hash_n(hash)},
          {"nonce", "1"},
          {"blockHash", hash_n(900000 + block)},
          {"transactionIndex", "0"},
          {"from", from},
          {"to", to},
          {"value", value},
          {"gas", "21000"},
          {"gasPrice", "30000000000"},
          {"isError", "0"},
          {"txreceipt_status", "1"},
          {"input", "0x"},
          {"contractAddress", ""},
          {"cumulativeGasUsed", "21000"},
          {"gasUsed", "21000"},
          {"confirmations", "10"},
          {"methodId", "0x"},
          {"functionName", ""}};
}

inline nlohmann::json internal_record(std::uint64_t hash, std::int64_t block, const std::string& from,
                                      const std::string& to, const std::string& value) {
  return {{"blockNumber", std::to_string(block)},
          {"timeStamp", std::to_string(1700000000 + block * 12)},
          {"hash", hash_n(hash)},
          {"from", from},
          {"to", to},
          {"value", value},
          {"contractAddress", ""},
          {"input", ""},
          {"type", "call"},
          {"gas", "2300"},
          {"gasUsed", "0"},
          {"traceId", "0_1"},
          {"isError", "0"},
          {"errCode", ""}};
}

inline nlohmann::json token_record(std::uint64_t hash, std::int64_t block, const std::string& from,
                                   const std::string& to, const std::string& value,
                                   const std::string& contract = "0xdac17f958d2ee523a2206206994597c13d831ec7",
                                   const std::string& symbol = "USDT", const std::string& decimals = "6") {
  return {{"blockNumber", std::to_string(block)},
          {"timeStamp", std::to_string(1700000000 + block * 12)},
          {"hash", hash_n(hash)},
          {"nonce", "1"},
          {"blockHash", hash_n(900000 + block)},
          {"from", from},
          {"contractAddress", contract},
          {"to", to},
          {"value", value},
          {"tokenName", "Tether USD"},
          {"tokenSymbol", symbol},
          {"tokenDecimal", decimals},
          {"transactionIndex", "0"},
          {"gas", "60000"},
          {"gasPrice", "30000000000"},
          {"gasUsed", "50000"},
          {"cumulativeGasUsed", "50000"},
          {"input", "deprecated"},
          {"methodId", "0xa9059cbb"},
          {"functionName", "transfer(address,uint256)"},
          {"confirmations", "10"}};
}

inline HttpResponse http_200(std::string body) {
  HttpResponse response;
  response.status = 200;
  response.body = std::move(body);
  return response;
}

// status "1" with the records, or the real empty answer when there are none.
// (A vector, not a json: a braced single record would become that record instead of a list of one.)
inline HttpResponse records_answer(const std::vector<nlohmann::json>& records) {
  if (records.empty()) return http_200(R"({"status":"0","message":"No transactions found","result":[]})");
  return http_200(nlohmann::json{{"status", "1"}, {"message", "OK"}, {"result", nlohmann::json(records)}}.dump());
}

inline HttpResponse error_answer(const std::string& message, const std::string& result) {
  return http_200(nlohmann::json{{"status", "0"}, {"message", message}, {"result", result}}.dump());
}

}  // namespace fundtrail::ingest::test
