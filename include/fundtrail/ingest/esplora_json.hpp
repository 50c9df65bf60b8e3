#pragma once
// Parsers for Esplora's transaction JSON (Blockstream electrs, mempool.space): GET /tx/:txid (one object)
// and GET /address/:a/txs[/chain[/:last_seen]] (an array). See ../shared/docs/API-FORMATS.md section 1.
//
// Esplora gives every amount as an integer number of satoshi. Everything is checked as untrusted input:
// the body must be JSON (an HTML error page or truncated body is refused), every used field must be present
// with its type, integers must be whole and in range (values <= 21,000,000 BTC), txids and block hashes
// 64 hex digits (stored lower case), addresses valid btc addresses (stored normalised, "" read as absent),
// and the result must pass core::validate (fee == inputs - outputs, ...). Unknown keys (mempool.space adds
// vsize, firstSeen, ...) are ignored. Every error is fundtrail::Error(InvalidArgument) whose message starts
// with `context` (the redacted URL) and names the field: "https://.../tx/ab..: vin[2].prevout.value: ...".
#include <optional>
#include <string_view>
#include <vector>

#include "fundtrail/core/btc_transaction.hpp"

namespace fundtrail::ingest {

// The body of GET /tx/:txid. With `expected_txid` (any case), a response for another txid is refused.
core::BtcTransaction parse_esplora_tx_body(std::string_view body, std::string_view context,
                                           std::optional<std::string_view> expected_txid = std::nullopt);

// The body of an address/scripthash/block transaction list: a JSON array of transaction objects, in the
// server's order. Messages name the element: "<context>: [3]: txid: ...".
std::vector<core::BtcTransaction> parse_esplora_tx_list(std::string_view body, std::string_view context);

}  // namespace fundtrail::ingest
