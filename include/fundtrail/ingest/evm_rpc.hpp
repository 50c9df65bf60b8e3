#pragma once
// Ethereum JSON-RPC over HTTP (geth, Erigon, Nethermind, reth, anvil, hosted endpoints): batch requests through
// PoliteClient (rate limit, retries, interruption), each answer kept with the HTTP response it came in, which
// is the evidence. A JSON-RPC error is an answer, not a transport failure: callers decide (a "range too
// large" error makes the log scan split its block range).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fundtrail/core/amount.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/ingest/polite_client.hpp"

namespace fundtrail::ingest {

struct EvmCall {
  std::string method;
  nlohmann::json params = nlohmann::json::array();
};

struct EvmAnswer {
  std::optional<nlohmann::json> result;  // set when the node answered with a result (may be JSON null)
  std::int64_t error_code = 0;           // set with error_message when it answered with an error
  std::string error_message;
  bool ok() const { return result.has_value(); }
};

struct EvmBatchReply {
  std::string locator;  // endpoint (redacted) + the methods asked, for the evidence record
  HttpResponse response;
  std::vector<EvmAnswer> answers;  // in call order
};

class EvmRpc {
 public:
  // `endpoint`: http(s) URL of the node; Error(Usage) otherwise. Hosted endpoints with the key in the path
  // (/v3/<key>) are redacted in locators only when the key is a query parameter: prefer those forms.
  EvmRpc(PoliteClient& client, std::string endpoint);

  // One HTTP request carrying `calls` as a JSON-RPC batch (a single object when there is one call). Answers
  // are matched by id. Throws fundtrail::Error(InvalidArgument) naming the endpoint for a body that is not a
  // JSON-RPC answer to these calls (an HTML page, truncated JSON, missing ids), (IoError) for a non-200 status
  // after PoliteClient's retries.
  EvmBatchReply batch(const std::vector<EvmCall>& calls);

  // batch() of one call whose error is thrown as fundtrail::Error(InvalidArgument) "<endpoint> <method>:
  // JSON-RPC error <code>: <message>".
  nlohmann::json call(const std::string& method, nlohmann::json params = nlohmann::json::array());

  const std::string& endpoint() const noexcept { return redacted_; }
  PoliteClient& client() noexcept { return client_; }

 private:
  PoliteClient& client_;
  std::string endpoint_;
  std::string redacted_;
  std::int64_t next_id_ = 1;
};

// Helpers for the node's JSON: "0x..." quantities, 20-byte addresses from 32-byte topics, ABI strings.
// All throw fundtrail::Error(InvalidArgument) naming `what` for malformed input.
std::int64_t evm_quantity_i64(const nlohmann::json& value, std::string_view what);     // "0x1a" or a JSON number
core::Amount evm_quantity_amount(const nlohmann::json& value, std::string_view what);  // "0x..." up to 2^256-1
std::string evm_topic_address(const nlohmann::json& topic, std::string_view what);     // 32-byte word -> 0x + 40 hex
std::string evm_address(const nlohmann::json& value, std::string_view what);           // normalised 0x + 40 hex
std::string evm_hash(const nlohmann::json& value, std::string_view what);              // 0x + 64 lower-case hex
// An eth_call result decoded as an ABI `string` (or a bytes32 right-padded with zeros, as early tokens
// such as MKR return); nullopt when it is neither.
std::optional<std::string> evm_abi_string(std::string_view hex_result);

}  // namespace fundtrail::ingest
