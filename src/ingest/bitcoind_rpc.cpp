#include "fundtrail/ingest/bitcoind_rpc.hpp"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <sstream>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "fundtrail/ingest/bitcoind_json.hpp"

namespace fundtrail::ingest {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxBatch = 1000;
// Set by the transport wrapper on a 5xx that carries a JSON-RPC error (the response then reaches the caller
// as a 200 instead of being retried); call() puts the original status back.
constexpr std::string_view kOriginalStatusHeader = "x-fundtrail-rpc-http-status";
// A JSON-RPC error body is small; a larger 5xx body is not inspected.
constexpr std::size_t kMaxErrorBody = std::size_t{1} << 20;

bool looks_like_json(std::string_view body) {
  const auto start = body.find_first_not_of(" \t\r\n");
  return start != std::string_view::npos && (body[start] == '{' || body[start] == '[');
}

// True when `body` is a JSON-RPC response object with an error object carrying an integer code.
bool carries_rpc_error(std::string_view body) {
  if (body.size() > kMaxErrorBody || !looks_like_json(body)) return false;
  const json document = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object()) return false;
  const auto error = document.find("error");
  if (error == document.end() || !error->is_object()) return false;
  const auto code = error->find("code");
  return code != error->end() && code->is_number_integer();
}

// Bitcoin Core answers every RPC error to a JSON-RPC 1.0 request with HTTP 500 (its JSONErrorReply), which
// PoliteClient would retry as a server fault. This wrapper looks at the body first: a 5xx carrying a JSON-RPC
// error is passed on as a final answer. A 5xx without one (503 "Work queue depth exceeded", a proxy's HTML
// page) stays retryable.
class RpcAwareTransport : public HttpTransport {
 public:
  explicit RpcAwareTransport(std::unique_ptr<HttpTransport> inner) : inner_(std::move(inner)) {}

  HttpResponse perform(const HttpRequest& request) override {
    HttpResponse response = inner_->perform(request);
    std::erase_if(response.headers, [](const auto& header) { return header.first == kOriginalStatusHeader; });
    if (response.status >= 500 && response.status <= 599 && carries_rpc_error(response.body)) {
      response.headers.emplace_back(std::string(kOriginalStatusHeader), std::to_string(response.status));
      response.status = 200;
    }
    return response;
  }

 private:
  std::unique_ptr<HttpTransport> inner_;
};

void restore_status(HttpResponse& response) {
  if (const auto original = response.header(kOriginalStatusHeader)) {
    response.status = std::stoi(*original);
    std::erase_if(response.headers, [](const auto& header) { return header.first == kOriginalStatusHeader; });
  }
}

bool is_hex64(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

std::string lower_hex(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

// "getblock 00ab...ff 3": the call as shown in messages (strings and numbers as they are, at most 200 bytes).
std::string describe_call(const std::string& method, const json& params) {
  std::string text = printable_excerpt(method, 60);
  if (params.is_array()) {
    for (const json& param : params) {
      text += ' ';
      text += param.is_string() ? printable_excerpt(param.get_ref<const std::string&>(), 100)
                                : printable_excerpt(param.dump(), 100);
    }
  }
  return text;
}

std::string hint_for(const std::string& method, std::int64_t code) {
  if (code == -5 && method == "getrawtransaction") {
    return " (getrawtransaction needs -txindex or the transaction is unknown)";
  }
  if (code == -5 && (method == "getblock" || method == "getblockheader")) return " (no such block on this node)";
  if (code == -28) return " (the node is still starting: try again when it has loaded)";
  if (code == -32601) return " (method not found: an older Bitcoin Core, or a wallet-only endpoint)";
  if (code == -1 && method == "getblock") return " (on a pruned node, blocks below the prune height are gone)";
  return {};
}

std::int64_t integer_field(const json& object, const char* key, std::string_view context) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) {
    throw invalid_argument(std::string(context) + ": field '" + key + "' missing or not an integer");
  }
  if (it->is_number_unsigned()) {
    const auto value = it->get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      throw invalid_argument(std::string(context) + ": field '" + key + "' out of range");
    }
    return static_cast<std::int64_t>(value);
  }
  return it->get<std::int64_t>();
}

std::string hash_field(const json& object, const char* key, std::string_view context) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string() || !is_hex64(it->get_ref<const std::string&>())) {
    throw invalid_argument(std::string(context) + ": field '" + key + "' missing or not 64 hex digits");
  }
  return lower_hex(it->get<std::string>());
}

}  // namespace

// --- credentials -------------------------------------------------------------------------------------------

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t group = (std::uint32_t(static_cast<unsigned char>(bytes[i])) << 16) |
                                (std::uint32_t(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                                std::uint32_t(static_cast<unsigned char>(bytes[i + 2]));
    out += kAlphabet[(group >> 18) & 63];
    out += kAlphabet[(group >> 12) & 63];
    out += kAlphabet[(group >> 6) & 63];
    out += kAlphabet[group & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t group = std::uint32_t(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) group |= std::uint32_t(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += kAlphabet[(group >> 18) & 63];
    out += kAlphabet[(group >> 12) & 63];
    out += rest == 2 ? kAlphabet[(group >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string basic_authorization(const RpcCredentials& credentials) {
  return "Basic " + base64_encode(credentials.user + ":" + credentials.password);
}

RpcCredentials read_rpc_cookie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::IoError, "cannot read the RPC cookie file " + printable_excerpt(path, 300));
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.pop_back();
  const auto colon = content.find(':');
  if (colon == std::string::npos || colon == 0) {
    throw invalid_argument("the RPC cookie file " + printable_excerpt(path, 300) +
                           " is not in the form user:password");
  }
  RpcCredentials credentials;
  credentials.user = content.substr(0, colon);
  credentials.password = content.substr(colon + 1);
  credentials.origin = "cookie file " + printable_excerpt(path, 300);
  return credentials;
}

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::optional<RpcCredentials> resolve_rpc_credentials(const std::optional<std::string>& cookie_path,
                                                      const EnvLookup& env) {
  if (cookie_path) return read_rpc_cookie(*cookie_path);
  const std::optional<std::string> user = env(kBitcoindUserEnv);
  const std::optional<std::string> password = env(kBitcoindPasswordEnv);
  if (user || password) {
    if (!user || user->empty()) {
      throw Error(ErrorKind::Usage, std::string(kBitcoindPasswordEnv) + " is set but " +
                                        std::string(kBitcoindUserEnv) + " is not (set both)");
    }
    if (!password) {
      throw Error(ErrorKind::Usage, std::string(kBitcoindUserEnv) + " is set but " +
                                        std::string(kBitcoindPasswordEnv) + " is not (set both)");
    }
    return RpcCredentials{*user, *password,
                          std::string(kBitcoindUserEnv) + "/" + std::string(kBitcoindPasswordEnv)};
  }
  if (const std::optional<std::string> home = env("HOME"); home && !home->empty()) {
    const std::string path = *home + "/.bitcoin/.cookie";
    std::error_code ignored;
    if (std::filesystem::is_regular_file(path, ignored)) return read_rpc_cookie(path);
  }
  return std::nullopt;
}

// --- errors ------------------------------------------------------------------------------------------------

RpcError::RpcError(std::string message, std::string method, std::int64_t code, std::string rpc_message)
    : Error(code == -5 ? ErrorKind::NotFound : ErrorKind::InvalidArgument, message),
      method_(std::move(method)),
      code_(code),
      rpc_message_(std::move(rpc_message)) {}

// --- client ------------------------------------------------------------------------------------------------

struct BitcoindRpc::State {
  State(std::string endpoint_in, std::optional<RpcCredentials> credentials_in,
        std::function<std::unique_ptr<HttpTransport>()> make_transport, PolitenessOptions politeness,
        std::shared_ptr<Clock> clock)
      : endpoint(std::move(endpoint_in)),
        shown(redact_url(endpoint)),
        credentials(std::move(credentials_in)),
        client("bitcoind",
               [make = std::move(make_transport)]() -> std::unique_ptr<HttpTransport> {
                 auto inner = make();
                 if (!inner) return nullptr;
                 return std::make_unique<RpcAwareTransport>(std::move(inner));
               },
               politeness, std::move(clock)) {}

  std::string endpoint;
  std::string shown;  // for messages and locators: redact_url(endpoint)
  std::optional<RpcCredentials> credentials;
  PoliteClient client;
  std::atomic<std::int64_t> next_id{1};

  std::string context(const std::string& method, const json& params) const {
    return "bitcoind " + printable_excerpt(shown, 300) + " " + describe_call(method, params);
  }

  HttpRequest request(std::string body) const {
    HttpRequest request;
    request.method = "POST";
    request.url = endpoint;
    request.headers.emplace_back("Content-Type", "application/json");
    if (credentials) request.headers.emplace_back("Authorization", basic_authorization(*credentials));
    request.body = std::move(body);
    return request;
  }

  static std::string body_of(const RpcCall& call, std::int64_t id) {
    nlohmann::ordered_json object;
    object["jsonrpc"] = "1.0";
    object["id"] = id;
    object["method"] = call.method;
    object["params"] = call.params.is_null() ? json::array() : call.params;
    return object.dump();
  }

  // Statuses that end the exchange whatever the body says.
  void check_access(const HttpResponse& response, const std::string& where) const {
    if (response.status == 401) {
      const std::string why =
          credentials ? "the node refused the credentials from " + credentials->origin
                      : "no credentials were given: set " + std::string(kBitcoindUserEnv) + " and " +
                            std::string(kBitcoindPasswordEnv) + ", or use --rpc-cookie PATH";
      throw Error(ErrorKind::IoError, where + ": authentication failed (HTTP 401): " + why);
    }
    if (response.status == 403) {
      throw Error(ErrorKind::IoError, where + ": access forbidden (HTTP 403): the node does not accept RPC "
                                              "connections from this address (rpcallowip)");
    }
    if (!looks_like_json(response.body) && response.status != 200) {
      throw Error(ErrorKind::IoError, where + ": HTTP status " + std::to_string(response.status) + ": " +
                                          printable_excerpt(response.body, 200));
    }
  }

  [[noreturn]] void throw_rpc_error(const json& error, const std::string& method, const json& params,
                                    int status) const {
    std::int64_t code = 0;
    std::string message;
    if (error.is_object()) {
      if (const auto it = error.find("code"); it != error.end() && it->is_number_integer()) {
        code = it->get<std::int64_t>();
      }
      if (const auto it = error.find("message"); it != error.end() && it->is_string()) {
        message = it->get<std::string>();
      }
    } else if (error.is_string()) {
      message = error.get<std::string>();
    }
    std::string text = context(method, params) + ": RPC error " + std::to_string(code) + ": " +
                       printable_excerpt(message, 300) + hint_for(method, code);
    if (status != 200) text += " [HTTP " + std::to_string(status) + "]";
    throw RpcError(std::move(text), method, code, message);
  }

  // A single call's answer: the result, or an RpcError.
  json interpret(HttpResponse& response, const RpcCall& call, std::int64_t id) const {
    restore_status(response);
    const std::string where = context(call.method, call.params);
    check_access(response, where);
    json document = parse_bitcoind_json(response.body, where);
    if (!document.is_object()) {
      throw invalid_argument(where + ": expected a JSON-RPC response object (HTTP " +
                             std::to_string(response.status) + ")");
    }
    if (const auto error = document.find("error"); error != document.end() && !error->is_null()) {
      throw_rpc_error(*error, call.method, call.params, response.status);
    }
    if (response.status != 200) {
      throw Error(ErrorKind::IoError, where + ": HTTP status " + std::to_string(response.status) + ": " +
                                          printable_excerpt(response.body, 200));
    }
    if (const auto answer_id = document.find("id"); answer_id != document.end() && !answer_id->is_null()) {
      if (!answer_id->is_number_integer() || answer_id->get<std::int64_t>() != id) {
        throw invalid_argument(where + ": the answer is for request id " + printable_excerpt(answer_id->dump(), 40) +
                               ", not " + std::to_string(id));
      }
    }
    const auto result = document.find("result");
    if (result == document.end()) throw invalid_argument(where + ": JSON-RPC response without a result");
    return std::move(*result);
  }
};

BitcoindRpc::BitcoindRpc(std::string endpoint, std::optional<RpcCredentials> credentials,
                         std::function<std::unique_ptr<HttpTransport>()> make_transport, PolitenessOptions politeness,
                         std::shared_ptr<Clock> clock) {
  const auto scheme_end = endpoint.find("://");
  const std::string scheme = scheme_end == std::string::npos ? std::string() : endpoint.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    throw Error(ErrorKind::Usage, "bitcoind endpoint '" + printable_excerpt(redact_url(endpoint), 300) +
                                      "' must start with http:// or https://");
  }
  const std::string authority = endpoint.substr(scheme_end + 3, endpoint.find_first_of("/?#", scheme_end + 3) -
                                                                     (scheme_end + 3));
  if (authority.find('@') != std::string::npos) {
    throw Error(ErrorKind::Usage, "bitcoind endpoint " + printable_excerpt(redact_url(endpoint), 300) +
                                      ": credentials do not belong in the URL; set " +
                                      std::string(kBitcoindUserEnv) + " and " + std::string(kBitcoindPasswordEnv) +
                                      " or use --rpc-cookie PATH");
  }
  if (authority.empty()) {
    throw Error(ErrorKind::Usage, "bitcoind endpoint '" + printable_excerpt(redact_url(endpoint), 300) + "' has no host");
  }
  state_ = std::make_unique<State>(std::move(endpoint), std::move(credentials), std::move(make_transport),
                                   politeness, std::move(clock));
}

BitcoindRpc::~BitcoindRpc() = default;

const std::string& BitcoindRpc::endpoint() const noexcept { return state_->shown; }

PoliteClient& BitcoindRpc::client() noexcept { return state_->client; }

RpcReply BitcoindRpc::call(const std::string& method, json params) {
  const RpcCall call{method, std::move(params)};
  const std::int64_t id = state_->next_id.fetch_add(1);
  RpcReply reply;
  reply.response = state_->client.fetch(state_->request(State::body_of(call, id)));
  reply.result = state_->interpret(reply.response, call, id);
  return reply;
}

std::vector<RpcReply> BitcoindRpc::call_all(const std::vector<RpcCall>& calls) {
  std::vector<HttpRequest> requests;
  std::vector<std::int64_t> ids;
  requests.reserve(calls.size());
  for (const RpcCall& call : calls) {
    ids.push_back(state_->next_id.fetch_add(1));
    requests.push_back(state_->request(State::body_of(call, ids.back())));
  }
  std::vector<HttpResponse> responses = state_->client.fetch_all(requests);
  std::vector<RpcReply> replies(calls.size());
  for (std::size_t i = 0; i < calls.size(); ++i) {
    replies[i].response = std::move(responses[i]);
    replies[i].result = state_->interpret(replies[i].response, calls[i], ids[i]);
  }
  return replies;
}

std::vector<json> BitcoindRpc::batch(const std::vector<RpcCall>& calls) {
  if (calls.empty()) return {};
  std::string body = "[";
  std::vector<std::int64_t> ids;
  std::unordered_map<std::int64_t, std::size_t> index_of;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    ids.push_back(state_->next_id.fetch_add(1));
    index_of.emplace(ids.back(), i);
    if (i > 0) body += ',';
    body += State::body_of(calls[i], ids.back());
  }
  body += ']';
  const std::string where = "bitcoind " + printable_excerpt(state_->shown, 300) + " batch of " +
                            std::to_string(calls.size()) + " (" + describe_call(calls.front().method, calls.front().params) +
                            (calls.size() > 1 ? ", ..." : "") + ")";
  HttpResponse response = state_->client.fetch(state_->request(std::move(body)));
  restore_status(response);
  state_->check_access(response, where);
  json document = parse_bitcoind_json(response.body, where);
  if (document.is_object()) {
    // The whole batch was refused (e.g. a node that does not take batches): one error for all.
    if (const auto error = document.find("error"); error != document.end() && !error->is_null()) {
      state_->throw_rpc_error(*error, calls.front().method, calls.front().params, response.status);
    }
    throw invalid_argument(where + ": expected a JSON array answering the batch");
  }
  if (!document.is_array()) throw invalid_argument(where + ": expected a JSON array answering the batch");
  if (response.status != 200) {
    throw Error(ErrorKind::IoError, where + ": HTTP status " + std::to_string(response.status));
  }
  std::vector<const json*> answers(calls.size(), nullptr);
  for (const json& item : document) {
    const auto id = item.is_object() ? item.find("id") : json::const_iterator{};
    if (!item.is_object() || id == item.end() || !id->is_number_integer()) {
      throw invalid_argument(where + ": batch answer without an integer id");
    }
    const auto slot = index_of.find(id->get<std::int64_t>());
    if (slot == index_of.end()) throw invalid_argument(where + ": batch answer for an unknown id " + id->dump());
    if (answers[slot->second] != nullptr) throw invalid_argument(where + ": two batch answers for id " + id->dump());
    answers[slot->second] = &item;
  }
  std::vector<json> results;
  results.reserve(calls.size());
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (answers[i] == nullptr) {
      throw invalid_argument(where + ": no answer for " + describe_call(calls[i].method, calls[i].params));
    }
    const json& item = *answers[i];
    if (const auto error = item.find("error"); error != item.end() && !error->is_null()) {
      state_->throw_rpc_error(*error, calls[i].method, calls[i].params, response.status);
    }
    const auto result = item.find("result");
    if (result == item.end()) {
      throw invalid_argument(state_->context(calls[i].method, calls[i].params) + ": batch answer without a result");
    }
    results.push_back(*result);
  }
  return results;
}

std::vector<std::string> BitcoindRpc::block_hashes(std::int64_t from, std::int64_t to) {
  std::vector<std::string> hashes;
  for (std::int64_t start = from; start <= to;) {
    const std::int64_t end = std::min<std::int64_t>(to, start + static_cast<std::int64_t>(kMaxBatch) - 1);
    std::vector<RpcCall> calls;
    for (std::int64_t height = start; height <= end; ++height) calls.push_back({"getblockhash", json::array({height})});
    const std::vector<json> results = batch(calls);
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (!results[i].is_string() || !is_hex64(results[i].get_ref<const std::string&>())) {
        throw invalid_argument(state_->context(calls[i].method, calls[i].params) + ": expected a block hash");
      }
      hashes.push_back(lower_hex(results[i].get<std::string>()));
    }
    if (end == to) break;
    start = end + 1;
  }
  return hashes;
}

RpcReply BitcoindRpc::getblock(const std::string& hash) { return call("getblock", json::array({hash, 3})); }

std::vector<RpcReply> BitcoindRpc::getrawtransactions(const std::vector<std::string>& txids) {
  std::vector<RpcCall> calls;
  calls.reserve(txids.size());
  for (const std::string& txid : txids) calls.push_back({"getrawtransaction", json::array({txid, 2})});
  return call_all(calls);
}

std::map<std::string, BitcoindBlockHeader> BitcoindRpc::block_headers(const std::vector<std::string>& hashes) {
  std::map<std::string, BitcoindBlockHeader> headers;
  for (std::size_t start = 0; start < hashes.size(); start += kMaxBatch) {
    std::vector<RpcCall> calls;
    for (std::size_t i = start; i < hashes.size() && i < start + kMaxBatch; ++i) {
      calls.push_back({"getblockheader", json::array({hashes[i], true})});
    }
    const std::vector<json> results = batch(calls);
    for (std::size_t i = 0; i < results.size(); ++i) {
      BitcoindBlockHeader header =
          parse_bitcoind_block_header(results[i], state_->context(calls[i].method, calls[i].params));
      const std::string& asked = calls[i].params[0].get_ref<const std::string&>();
      if (header.hash != lower_hex(asked)) {
        throw invalid_argument(state_->context(calls[i].method, calls[i].params) + ": answer is for block " +
                               header.hash);
      }
      headers[lower_hex(asked)] = std::move(header);
    }
  }
  return headers;
}

// --- parsing -----------------------------------------------------------------------------------------------

BitcoindBlockHeader parse_bitcoind_block_header(const json& result, std::string_view context) {
  if (!result.is_object()) throw invalid_argument(std::string(context) + ": expected a block object");
  BitcoindBlockHeader header;
  header.hash = hash_field(result, "hash", context);
  header.height = integer_field(result, "height", context);
  header.time = integer_field(result, "time", context);
  header.confirmations = integer_field(result, "confirmations", context);
  if (header.height < 0) throw invalid_argument(std::string(context) + ": negative block height");
  return header;
}

BitcoindBlock parse_bitcoind_block(const json& result, std::string_view context,
                                   const std::optional<std::string>& expected_hash,
                                   std::optional<std::int64_t> expected_height) {
  BitcoindBlock block;
  block.header = parse_bitcoind_block_header(result, context);
  const BitcoindBlockHeader& header = block.header;
  if (expected_hash && lower_hex(*expected_hash) != header.hash) {
    throw invalid_argument(std::string(context) + ": answer is for block " + header.hash);
  }
  if (expected_height && *expected_height != header.height) {
    throw invalid_argument(std::string(context) + ": block " + header.hash + " is at height " +
                           std::to_string(header.height) + ", not " + std::to_string(*expected_height));
  }
  if (header.confirmations <= 0) {
    throw invalid_argument(std::string(context) + ": block " + header.hash + " at height " +
                           std::to_string(header.height) +
                           " is no longer in the active chain (a reorganisation): run the command again");
  }
  const auto txs = result.find("tx");
  if (txs == result.end() || !txs->is_array()) throw invalid_argument(std::string(context) + ": block without a tx array");
  if (const auto count = result.find("nTx"); count != result.end()) {
    if (integer_field(result, "nTx", context) != static_cast<std::int64_t>(txs->size())) {
      throw invalid_argument(std::string(context) + ": nTx " + count->dump() + " but " + std::to_string(txs->size()) +
                             " transactions");
    }
  }
  BitcoindTxContext tx_context;
  tx_context.block_hash = header.hash;
  tx_context.block_height = header.height;
  tx_context.block_time = header.time;
  std::set<std::string> seen;
  block.transactions.reserve(txs->size());
  for (const json& object : *txs) {
    if (object.is_string()) {
      throw invalid_argument(std::string(context) +
                             ": the block lists txids only: getblock verbosity 3 needs Bitcoin Core >= 23");
    }
    core::BtcTransaction tx = parse_bitcoind_tx(object, context, tx_context);
    if (!core::prevouts_known(tx)) {
      throw invalid_argument(std::string(context) + ": tx " + tx.txid +
                             ": inputs without prevout: getblock verbosity 3 needs Bitcoin Core >= 23");
    }
    if (!seen.insert(tx.txid).second) {
      throw invalid_argument(std::string(context) + ": tx " + tx.txid + " appears twice in the block");
    }
    block.transactions.push_back(std::move(tx));
  }
  return block;
}

}  // namespace fundtrail::ingest
