#pragma once
// A Bitcoin Core JSON-RPC client over PoliteClient (rate limit, bounded concurrency, retries, Ctrl-C).
//
// Requests are HTTP POSTs to the endpoint (http://host:8332, or .../wallet/<name>) with the body
//   {"jsonrpc":"1.0","id":N,"method":"getblock","params":["<hash>",3]}
// or a JSON array of such objects (a batch: one HTTP exchange, answered in one array). Responses are parsed
// with parse_bitcoind_json, so BTC decimals ("value": 0.00488600) stay exact (see bitcoind_json.hpp).
//
// Authentication: HTTP Basic from BITCOIND_RPC_USER / BITCOIND_RPC_PASSWORD or from Core's cookie file
// ("__cookie__:<hex>", ~/.bitcoin/.cookie by default). Credentials only ever travel in the Authorization
// header: never in the URL (an endpoint with user:pass@ is refused), never in a message, log or evidence
// record.
//
// HTTP status handling, as Bitcoin Core answers:
//  * 200: a result, or (JSON-RPC 2.0, batches) an error object in the body;
//  * 500 with a JSON-RPC error body (how Core reports *every* RPC error to a JSON-RPC 1.0 request, also
//    404 for an unknown method, 400 for an invalid request): an RPC error, NOT retried: the body is
//    interpreted before the status is taken for a server fault;
//  * 503 "Work queue depth exceeded" and other 5xx without a JSON-RPC error body: retried by PoliteClient;
//  * 401: "authentication failed" (not retried); 403: the node refuses this client's address (rpcallowip).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fundtrail/core/btc_transaction.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/core/timestamp.hpp"
#include "fundtrail/ingest/http_transport.hpp"
#include "fundtrail/ingest/polite_client.hpp"

namespace fundtrail::ingest {

inline constexpr std::string_view kDefaultBitcoindEndpoint = "http://127.0.0.1:8332";
inline constexpr std::string_view kBitcoindUserEnv = "BITCOIND_RPC_USER";
inline constexpr std::string_view kBitcoindPasswordEnv = "BITCOIND_RPC_PASSWORD";

// Standard base64 (RFC 4648 section 4, with '=' padding).
std::string base64_encode(std::string_view bytes);

struct RpcCredentials {
  std::string user;
  std::string password;
  // Where they came from, for messages (never the values): "BITCOIND_RPC_USER/BITCOIND_RPC_PASSWORD" or
  // "cookie file /home/x/.bitcoin/.cookie".
  std::string origin;
};

// "Basic " + base64(user ":" password) (RFC 7617).
std::string basic_authorization(const RpcCredentials& credentials);

// Reads a cookie file: "user:password" (Core writes "__cookie__:<64 hex>"), a trailing newline allowed.
// Throws fundtrail::Error(IoError) naming the path when it cannot be read, (InvalidArgument) when it has no
// ':' (the message never quotes the content).
RpcCredentials read_rpc_cookie(const std::string& path);

// Looks up an environment variable; nullopt when unset. Injected so that tests do not touch the process's
// environment.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup process_environment();

// The credentials to use, first match wins:
//  1. `cookie_path` (--rpc-cookie) when given: that file (an error when unreadable);
//  2. BITCOIND_RPC_USER and BITCOIND_RPC_PASSWORD when set (one without the other: Error(Usage));
//  3. $HOME/.bitcoin/.cookie when that file exists (a mainnet node on this machine);
//  4. none: std::nullopt (the node will then answer 401).
std::optional<RpcCredentials> resolve_rpc_credentials(const std::optional<std::string>& cookie_path,
                                                      const EnvLookup& env = process_environment());

// A JSON-RPC error answered by the node. what(): "bitcoind <endpoint> <method> <params>: RPC error <code>:
// <message>[ (hint)]". Kind: NotFound for -5 (RPC_INVALID_ADDRESS_OR_KEY: no such transaction / block),
// InvalidArgument otherwise.
class RpcError : public Error {
 public:
  RpcError(std::string message, std::string method, std::int64_t code, std::string rpc_message);
  const std::string& method() const noexcept { return method_; }
  std::int64_t code() const noexcept { return code_; }
  const std::string& rpc_message() const noexcept { return rpc_message_; }

 private:
  std::string method_;
  std::int64_t code_;
  std::string rpc_message_;
};

struct RpcCall {
  std::string method;
  nlohmann::json params = nlohmann::json::array();
};

// One answered single call: the HTTP response (its body is the evidence) and the parsed result (numbers
// exact, as parse_bitcoind_json keeps them).
struct RpcReply {
  HttpResponse response;
  nlohmann::json result;
};

// What getblockheader and getblock tell about a block.
struct BitcoindBlockHeader {
  std::string hash;
  std::int64_t height = 0;
  core::UnixSeconds time = 0;
  std::int64_t confirmations = 0;  // <= 0 (-1): the block is not in the active chain
};

struct BitcoindBlock {
  BitcoindBlockHeader header;
  std::vector<core::BtcTransaction> transactions;  // in block order, coinbase first; prevouts known
};

class BitcoindRpc {
 public:
  // `endpoint`: http(s)://host:port[/wallet/<name>], without user:pass@ (Error(Usage) otherwise).
  // `make_transport` and `politeness`: as for PoliteClient (provider name "bitcoind"); each transport is
  // wrapped so that a 5xx carrying a JSON-RPC error is answered, not retried. `clock`: nullptr = system.
  BitcoindRpc(std::string endpoint, std::optional<RpcCredentials> credentials,
              std::function<std::unique_ptr<HttpTransport>()> make_transport, PolitenessOptions politeness,
              std::shared_ptr<Clock> clock = nullptr);
  ~BitcoindRpc();
  BitcoindRpc(const BitcoindRpc&) = delete;
  BitcoindRpc& operator=(const BitcoindRpc&) = delete;

  // One call. Throws RpcError for a JSON-RPC error; fundtrail::Error(IoError) for "authentication failed"
  // (401), 403, an unexpected HTTP status or a transport failure (after PoliteClient's retries);
  // (InvalidArgument) for a body that is not a JSON-RPC response to this request.
  RpcReply call(const std::string& method, nlohmann::json params);
  // Several single calls, up to the client's concurrency in flight; replies in call order. The first failing
  // call (lowest index) is rethrown after the others in flight finished.
  std::vector<RpcReply> call_all(const std::vector<RpcCall>& calls);
  // One batch request (a JSON array) for all `calls`; results in call order, whatever order the node
  // answered in (matched by id). Throws the RpcError of the first call (in call order) that failed.
  // An empty `calls` sends nothing.
  std::vector<nlohmann::json> batch(const std::vector<RpcCall>& calls);

  // getblockhash for every height in [from, to] (batches of at most 1000), in height order.
  std::vector<std::string> block_hashes(std::int64_t from, std::int64_t to);
  // getblock <hash> 3: the block with every transaction and its prevouts (Bitcoin Core >= 23).
  RpcReply getblock(const std::string& hash);
  // getrawtransaction <txid> 2 for every txid (in parallel, see call_all): objects with prevouts and fee
  // (Bitcoin Core >= 25). A -5 error says the node "needs -txindex or the transaction is unknown".
  std::vector<RpcReply> getrawtransactions(const std::vector<std::string>& txids);
  // getblockheader for every hash (one batch): hash -> header.
  std::map<std::string, BitcoindBlockHeader> block_headers(const std::vector<std::string>& hashes);

  // The endpoint for locators and messages: redact_url(endpoint) (userinfo is refused by the constructor;
  // query secrets such as ?token= would be replaced by REDACTED).
  const std::string& endpoint() const noexcept;
  // The client performing the requests (Ctrl-C: request_stop(); statistics).
  PoliteClient& client() noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// A getblock (verbosity 3) result: the block's hash, height, time and confirmations, and its transactions
// parsed with parse_bitcoind_tx in the block's context. `expected_hash` / `expected_height` (when given) must
// match. Throws fundtrail::Error(InvalidArgument) naming `context` for a malformed block, a transaction count
// that disagrees with nTx, or inputs without prevouts ("needs Bitcoin Core >= 23": older nodes ignore
// verbosity 3).
BitcoindBlock parse_bitcoind_block(const nlohmann::json& result, std::string_view context,
                                   const std::optional<std::string>& expected_hash = std::nullopt,
                                   std::optional<std::int64_t> expected_height = std::nullopt);

// A getblockheader (verbose) result.
BitcoindBlockHeader parse_bitcoind_block_header(const nlohmann::json& result, std::string_view context);

}  // namespace fundtrail::ingest
