#pragma once
// Reading Etherscan API (V1/V2, same record shapes) answers of module=account: the {status, message, result}
// envelope and the records of txlist, txlistinternal and tokentx. Every value arrives as a string and is
// validated here (decimal digits, 0x + 64 hex hashes, eth addresses, amounts < 2^256), because a provider
// answer is untrusted input. Token names and symbols are kept verbatim (escaping is the report's job).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fundtrail/ingest/account_source.hpp"
#include "fundtrail/ingest/http_transport.hpp"

namespace fundtrail::ingest {

enum class EtherscanAction { TxList, TxListInternal, TokenTx };

// "txlist", "txlistinternal", "tokentx": the action= value.
std::string_view to_string(EtherscanAction action);
std::optional<EtherscanAction> parse_etherscan_action(std::string_view text);

// The records of an answer: status "1" with a result array, or status "0" "No transactions found" (result []),
// which is an empty list. One AccountTransaction per record, in the answer's order, block_height always set:
//  txlist:         failed (isError "1" or txreceipt_status "0": no transfers), from, to (nullopt when `to` is ""
//                  = contract creation, type "create"; else type "call"), fee = gasUsed x gasPrice (wei), and a
//                  Native transfer from -> to (or -> contractAddress) of `value` when value > 0 and not failed.
//  txlistinternal: an Internal transfer from -> to (-> contractAddress for a creation) of `value` when value > 0
//                  and isError is not "1"; otherwise no transfer. Type "" (the txlist record tells it).
//  tokentx:        a Token transfer (zero values included: address poisoning is evidence) with the contract,
//                  tokenSymbol, tokenName ("" = not given) and tokenDecimal (0 ... 77, "" = not given).
// Transfers have evidence 0. Throws fundtrail::Error starting with `context` (e.g. "etherscan GET <redacted
// url>"): IoError for an HTTP status other than 200 or any other status "0" answer (its message and result
// quoted, escaped), InvalidArgument for a body that is not the envelope (HTML, truncated JSON, result not an
// array) or a malformed record.
std::vector<AccountTransaction> parse_etherscan_answer(EtherscanAction action, const HttpResponse& response,
                                                       std::string_view context);

// The error text of a status "0" answer whose result is a string, or nullopt (status "1", an empty list, not
// JSON). Cheap for large bodies that cannot be one.
std::optional<std::string> etherscan_error_text(std::string_view body);

}  // namespace fundtrail::ingest
