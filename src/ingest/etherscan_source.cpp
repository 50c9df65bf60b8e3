#include "fundtrail/ingest/etherscan_source.hpp"

#include <algorithm>
#include <charconv>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fundtrail/core/address.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/ingest/etherscan_json.hpp"

namespace fundtrail::ingest {
namespace {

// Beyond every EVM network's height for decades (Arbitrum: ~3 x 10^8 in 2025): "no upper bound".
constexpr std::int64_t kOpenEndBlock = 9'999'999'999;

// Where a wallet's walk stands: the phase, the first block of the range and the page within it.
struct Position {
  EtherscanAction action = EtherscanAction::TxList;
  std::int64_t start_block = 0;
  unsigned page = 1;
};

std::string encode_cursor(const Position& position) {
  return std::string(to_string(position.action)) + ":" + std::to_string(position.start_block) + ":" +
         std::to_string(position.page);
}

template <typename Number>
bool parse_number(std::string_view text, Number& out) {
  if (text.empty() || text.size() > 18) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

Position decode_cursor(const std::string& cursor, unsigned page_size) {
  const auto fail = [&]() -> Position {
    throw invalid_argument("etherscan: not a cursor of this source: " + printable_excerpt(cursor, 80));
  };
  const auto first = cursor.find(':');
  const auto second = first == std::string::npos ? first : cursor.find(':', first + 1);
  if (second == std::string::npos) return fail();
  const auto action = parse_etherscan_action(std::string_view(cursor).substr(0, first));
  Position position;
  if (!action || !parse_number(std::string_view(cursor).substr(first + 1, second - first - 1), position.start_block) ||
      !parse_number(std::string_view(cursor).substr(second + 1), position.page) || position.start_block < 0 ||
      position.page < 1 || std::uint64_t{position.page} * page_size > kEtherscanMaxResultWindow) {
    return fail();
  }
  position.action = *action;
  return position;
}

std::optional<EtherscanAction> next_action(EtherscanAction action) {
  switch (action) {
    case EtherscanAction::TxList:
      return EtherscanAction::TxListInternal;
    case EtherscanAction::TxListInternal:
      return EtherscanAction::TokenTx;
    case EtherscanAction::TokenTx:
      return std::nullopt;
  }
  return std::nullopt;
}

// RFC 3986 unreserved characters pass; everything else of a key is percent-encoded.
std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  return out;
}

// A page's records as transactions: one per hash (in order of first appearance) carrying all of that hash's
// transfers in the page, so identical transfers of one transaction stay apart in the store (it numbers equal
// transfers by their order within one transaction). Internal and token records that move nothing add no
// transaction; records outside the time window are left out.
std::vector<AccountTransaction> group_by_hash(EtherscanAction action, std::vector<AccountTransaction> records,
                                              const AccountWindow& window) {
  std::vector<AccountTransaction> transactions;
  std::unordered_map<std::string, std::size_t> position_of;
  for (AccountTransaction& record : records) {
    if (record.timestamp < window.since || record.timestamp > window.until) continue;
    if (action != EtherscanAction::TxList && record.transfers.empty()) continue;
    const auto [found, inserted] = position_of.try_emplace(record.hash, transactions.size());
    if (inserted) {
      transactions.push_back(std::move(record));
      continue;
    }
    // A transaction is one txlist record; a repeat of it would add a second native transfer.
    if (action == EtherscanAction::TxList) continue;
    auto& merged = transactions[found->second].transfers;
    merged.insert(merged.end(), std::make_move_iterator(record.transfers.begin()),
                  std::make_move_iterator(record.transfers.end()));
  }
  return transactions;
}

}  // namespace

bool etherscan_rate_limited(const HttpResponse& response) {
  if (response.status != 200) return false;
  const auto text = etherscan_error_text(response.body);
  if (!text) return false;
  std::string lowered = *text;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  // "Max rate limit reached", "Max calls per sec rate limit reached (5/sec)"; a spent daily quota is not
  // helped by waiting seconds, so it is reported instead.
  return lowered.find("rate limit reached") != std::string::npos && lowered.find("daily") == std::string::npos;
}

EtherscanSource::EtherscanSource(PoliteClient& client, EtherscanOptions options)
    : client_(client), options_(std::move(options)) {
  const std::string shown = printable_excerpt(redact_url(options_.endpoint), 300);
  if (options_.endpoint.rfind("http://", 0) != 0 && options_.endpoint.rfind("https://", 0) != 0) {
    throw Error(ErrorKind::Usage, "etherscan endpoint must be an http(s) URL: '" + shown + "'");
  }
  if (options_.page_size < 1 || options_.page_size > kEtherscanMaxResultWindow) {
    throw Error(ErrorKind::Usage, "etherscan page size must be 1 ... 10000, not " + std::to_string(options_.page_size));
  }
  if (options_.chain_id == 0) throw Error(ErrorKind::Usage, "etherscan chain id must be positive");
  const auto& window = options_.window;
  if (window.from_block && *window.from_block < 0) throw Error(ErrorKind::Usage, "--from-block must be >= 0");
  if (window.to_block && (*window.to_block < 0 || *window.to_block < window.from_block.value_or(0))) {
    throw Error(ErrorKind::Usage, "--to-block must be >= --from-block (and >= 0)");
  }
}

core::Chain EtherscanSource::chain() const { return core::Chain::Eth; }

std::string EtherscanSource::provider() const { return "etherscan"; }

std::uint64_t EtherscanSource::network() const { return options_.chain_id; }

AccountPage EtherscanSource::fetch_page(const std::string& address, const std::optional<std::string>& cursor) {
  const std::string wallet = core::normalize_address(core::Chain::Eth, address);
  const std::int64_t first_block = options_.window.from_block.value_or(0);
  const std::int64_t end_block = options_.window.to_block.value_or(kOpenEndBlock);
  const Position position =
      cursor ? decode_cursor(*cursor, options_.page_size) : Position{EtherscanAction::TxList, first_block, 1};
  HttpRequest request;
  request.url = options_.endpoint + (options_.endpoint.find('?') == std::string::npos ? "?" : "&") +
                "module=account&action=" + std::string(to_string(position.action)) + "&address=" + wallet +
                "&chainid=" + std::to_string(options_.chain_id) +
                "&startblock=" + std::to_string(position.start_block) + "&endblock=" + std::to_string(end_block) +
                "&page=" + std::to_string(position.page) + "&offset=" + std::to_string(options_.page_size) +
                "&sort=asc";
  if (options_.api_key) request.url += "&apikey=" + percent_encode(*options_.api_key);
  const std::string locator = redact_url(request.url);
  const std::string context = "etherscan GET " + printable_excerpt(locator, 300);

  HttpResponse response = client_.fetch(request);
  std::vector<AccountTransaction> records = parse_etherscan_answer(position.action, response, context);

  // The walk below relies on ascending blocks inside the requested range; anything else could loop or skip.
  std::int64_t previous = position.start_block;
  for (const AccountTransaction& record : records) {
    const std::int64_t block = *record.block_height;
    if (block < previous || block > end_block) {
      throw invalid_argument(context + ": record " + record.hash + " of block " + std::to_string(block) +
                             " is out of order or outside blocks " + std::to_string(position.start_block) + " ... " +
                             std::to_string(end_block));
    }
    previous = block;
  }

  AccountPage page;
  if (records.size() < options_.page_size) {
    if (const auto next = next_action(position.action)) page.next_cursor = encode_cursor({*next, first_block, 1});
  } else if (const std::int64_t last_block = *records.back().block_height; last_block > position.start_block) {
    // Restart at the last block rather than paging deeper: its records come again and are merged.
    page.next_cursor = encode_cursor({position.action, last_block, 1});
  } else if (std::uint64_t{position.page + 1} * options_.page_size <= kEtherscanMaxResultWindow) {
    page.next_cursor = encode_cursor({position.action, position.start_block, position.page + 1});
  } else {
    throw Error(ErrorKind::IoError, context + ": block " + std::to_string(last_block) + " holds more than " +
                                        std::to_string(kEtherscanMaxResultWindow) + " " +
                                        std::string(to_string(position.action)) + " records of " + wallet +
                                        ", more than Etherscan lists for one range");
  }
  page.transactions = group_by_hash(position.action, std::move(records), options_.window);
  page.responses.push_back(FetchedResponse{locator, std::move(response)});
  return page;
}

}  // namespace fundtrail::ingest
