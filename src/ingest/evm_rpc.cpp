#include "fundtrail/ingest/evm_rpc.hpp"

#include <algorithm>
#include <map>

#include "fundtrail/core/address.hpp"
#include "fundtrail/core/hash.hpp"

namespace fundtrail::ingest {
namespace {

using nlohmann::json;

bool is_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

std::string_view hex_digits(const json& value, std::string_view what) {
  if (!value.is_string()) throw invalid_argument(std::string(what) + ": expected a 0x-prefixed hex string");
  const std::string& text = value.get_ref<const std::string&>();
  if (text.size() < 3 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X') ||
      !is_hex(std::string_view(text).substr(2))) {
    throw invalid_argument(std::string(what) + ": not a 0x-prefixed hex value: " + printable_excerpt(text, 80));
  }
  return std::string_view(text).substr(2);
}

}  // namespace

EvmRpc::EvmRpc(PoliteClient& client, std::string endpoint) : client_(client), endpoint_(std::move(endpoint)) {
  if (endpoint_.rfind("http://", 0) != 0 && endpoint_.rfind("https://", 0) != 0) {
    throw Error(ErrorKind::Usage, "JSON-RPC endpoint must be an http(s) URL: '" + printable_excerpt(endpoint_) + "'");
  }
  redacted_ = redact_url(endpoint_);
}

EvmBatchReply EvmRpc::batch(const std::vector<EvmCall>& calls) {
  EvmBatchReply reply;
  if (calls.empty()) return reply;
  json body = json::array();
  std::map<std::int64_t, std::size_t> position;
  std::string methods;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const std::int64_t id = next_id_++;
    position[id] = i;
    body.push_back(json{{"jsonrpc", "2.0"}, {"id", id}, {"method", calls[i].method}, {"params", calls[i].params}});
    if (methods.find(calls[i].method) == std::string::npos) methods += (methods.empty() ? "" : ",") + calls[i].method;
  }
  HttpRequest request;
  request.method = "POST";
  request.url = endpoint_;
  request.headers = {{"Content-Type", "application/json"}};
  request.body = calls.size() == 1 ? body[0].dump() : body.dump();
  reply.locator = redacted_ + " " + methods + " " + printable_excerpt(request.body, 300);
  reply.response = client_.fetch(request);
  const std::string context = redacted_ + " " + methods;
  if (reply.response.status != 200) {
    throw Error(ErrorKind::IoError, context + ": HTTP status " + std::to_string(reply.response.status) + ": " +
                                        printable_excerpt(reply.response.body, 200));
  }
  const json document = json::parse(reply.response.body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    throw invalid_argument(context + ": the answer is not JSON: " + printable_excerpt(reply.response.body, 120));
  }
  // A node that refuses batches answers one error object: report it for every call.
  json items = document.is_array() ? document : json::array({document});
  reply.answers.resize(calls.size());
  std::vector<bool> seen(calls.size(), false);
  for (const json& item : items) {
    if (!item.is_object()) throw invalid_argument(context + ": a batch element is not an object");
    const auto id = item.find("id");
    if (id == item.end() || !id->is_number_integer() || !position.count(id->get<std::int64_t>())) {
      if (calls.size() > 1 && !document.is_array() && item.contains("error")) {
        throw invalid_argument(context +
                               ": the node refused the batch request: " + printable_excerpt(item.dump(), 200));
      }
      throw invalid_argument(context + ": an answer without a known id: " + printable_excerpt(item.dump(), 120));
    }
    const std::size_t index = position[id->get<std::int64_t>()];
    EvmAnswer& answer = reply.answers[index];
    seen[index] = true;
    if (const auto error = item.find("error"); error != item.end() && !error->is_null()) {
      answer.error_code =
          error->is_object()
              ? error->value("code", json(0)).is_number_integer() ? (*error)["code"].get<std::int64_t>() : 0
              : 0;
      const json message = error->is_object() ? error->value("message", json("")) : *error;
      answer.error_message = message.is_string() ? message.get<std::string>() : message.dump();
      if (answer.error_message.empty()) answer.error_message = "(no message)";
    } else if (const auto result = item.find("result"); result != item.end()) {
      answer.result = *result;
    } else {
      throw invalid_argument(context + ": an answer with neither result nor error");
    }
  }
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (!seen[i])
      throw invalid_argument(context + ": no answer to call " + std::to_string(i) + " (" + calls[i].method + ")");
  }
  return reply;
}

json EvmRpc::call(const std::string& method, json params) {
  EvmBatchReply reply = batch({EvmCall{method, std::move(params)}});
  EvmAnswer& answer = reply.answers.front();
  if (!answer.ok()) {
    throw invalid_argument(redacted_ + " " + method + ": JSON-RPC error " + std::to_string(answer.error_code) + ": " +
                           printable_excerpt(answer.error_message, 200));
  }
  return *answer.result;
}

std::int64_t evm_quantity_i64(const json& value, std::string_view what) {
  if (value.is_number_unsigned())
    return static_cast<std::int64_t>(std::min<std::uint64_t>(value.get<std::uint64_t>(), INT64_MAX));
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) return value.get<std::int64_t>();
  const std::string_view digits = hex_digits(value, what);
  std::string_view trimmed = digits;
  while (trimmed.size() > 1 && trimmed.front() == '0') trimmed.remove_prefix(1);
  if (trimmed.size() > 16 || (trimmed.size() == 16 && trimmed.front() >= '8'))
    throw invalid_argument(std::string(what) + ": quantity too large: 0x" + std::string(digits.substr(0, 40)));
  return static_cast<std::int64_t>(std::stoull(std::string(trimmed), nullptr, 16));
}

core::Amount evm_quantity_amount(const json& value, std::string_view what) {
  const std::string_view digits = hex_digits(value, what);
  try {
    return core::Amount::parse_base_units("0x" + std::string(digits));
  } catch (const Error& error) {
    throw invalid_argument(std::string(what) + ": " + error.what());
  }
}

std::string evm_topic_address(const json& topic, std::string_view what) {
  const std::string_view digits = hex_digits(topic, what);
  if (digits.size() != 64 || digits.substr(0, 24).find_first_not_of('0') != std::string_view::npos) {
    throw invalid_argument(std::string(what) + ": not an address topic: " + printable_excerpt(std::string(digits), 80));
  }
  return core::normalize_address(core::Chain::Eth, "0x" + std::string(digits.substr(24)));
}

std::string evm_address(const json& value, std::string_view what) {
  if (!value.is_string()) throw invalid_argument(std::string(what) + ": expected an address string");
  try {
    return core::normalize_address(core::Chain::Eth, value.get<std::string>());
  } catch (const Error& error) {
    throw invalid_argument(std::string(what) + ": " + error.what());
  }
}

std::string evm_hash(const json& value, std::string_view what) {
  const std::string_view digits = hex_digits(value, what);
  if (digits.size() != 64) throw invalid_argument(std::string(what) + ": not a 32-byte hash");
  std::string out = "0x" + std::string(digits);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::optional<std::string> evm_abi_string(std::string_view hex_result) {
  if (hex_result.rfind("0x", 0) == 0) hex_result.remove_prefix(2);
  if (hex_result.size() % 2 != 0 || !is_hex(hex_result)) return std::nullopt;
  const std::string bytes = core::hex_to_bytes(hex_result);
  auto word = [&](std::size_t offset) -> std::optional<std::uint64_t> {
    if (offset + 32 > bytes.size()) return std::nullopt;
    for (std::size_t i = offset; i < offset + 24; ++i) {
      if (bytes[i] != 0) return std::nullopt;
    }
    std::uint64_t value = 0;
    for (std::size_t i = offset + 24; i < offset + 32; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
    return value;
  };
  if (bytes.size() == 32) {  // bytes32: text, then zeros to the end
    const std::size_t end = bytes.find('\0');
    const std::string text = bytes.substr(0, end);
    if (text.empty() || (end != std::string::npos && bytes.find_first_not_of('\0', end) != std::string::npos)) {
      return std::nullopt;
    }
    return text;
  }
  const auto offset = word(0);
  if (!offset || *offset > bytes.size() || bytes.size() - *offset < 32) return std::nullopt;
  const auto length = word(static_cast<std::size_t>(*offset));
  // Compared without adding, so a hostile length near 2^64 cannot wrap around the check.
  if (!length || *length > bytes.size() - *offset - 32) return std::nullopt;
  return bytes.substr(static_cast<std::size_t>(*offset + 32), static_cast<std::size_t>(*length));
}

}  // namespace fundtrail::ingest
