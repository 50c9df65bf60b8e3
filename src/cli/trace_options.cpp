#include "trace_options.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>

#include "fundtrail/core/error.hpp"
#include "fundtrail/core/timestamp.hpp"

namespace fundtrail::cli {
namespace {

bool same_symbol(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
         });
}

core::UnixSeconds parse_time_option(const std::string& option, const std::string& text) {
  try {
    return core::parse_timestamp(text);
  } catch (const Error& error) {
    throw Error(ErrorKind::Usage, option + ": " + error.what());
  }
}

}  // namespace

void add_filter_options(CLI::App& command, FilterArgs& args) {
  command.add_option("--since", args.since, "Only transfers at or after T (ISO-8601 UTC or unix seconds)");
  command.add_option("--until", args.until, "Only transfers at or before T (ISO-8601 UTC or unix seconds)");
  command.add_option("--asset", args.asset, "Follow only this asset (symbol such as USDT, or token contract)");
  command.add_option("--min-amount", args.min_amount,
                     "Ignore transfers below X, in display units (of --asset, else of each transfer's asset)");
}

report::TransferFilters echoed_filters(const FilterArgs& args, const graph::EdgeFilter& filter) {
  report::TransferFilters echoed;
  if (!args.since.empty()) echoed.since = filter.since;
  if (!args.until.empty()) echoed.until = filter.until;
  if (!args.asset.empty()) echoed.asset = args.asset;
  if (!args.min_amount.empty()) echoed.min_amount = args.min_amount;
  return echoed;
}

core::Amount minimum_in_base_units(const std::string& display, unsigned decimals) {
  const auto point = display.find('.');
  if (point == std::string::npos || display.size() - point - 1 <= decimals) {
    return core::Amount::parse_display(display, decimals);
  }
  // More digits than the asset has: keep what fits, round up if anything non-zero was cut.
  const std::string kept = display.substr(0, point + 1 + decimals);
  const std::string cut = display.substr(point + 1 + decimals);
  if (cut.find_first_not_of("0123456789") != std::string::npos) {
    return core::Amount::parse_display(display, decimals);  // reports the malformed text
  }
  core::Amount amount = core::Amount::parse_display(decimals == 0 ? kept.substr(0, point) : kept, decimals);
  if (cut.find_first_not_of('0') != std::string::npos) amount += core::Amount(1);
  return amount;
}

graph::EdgeFilter build_filter(const FilterArgs& args, core::Chain chain,
                               const std::vector<store::AssetRecord>& assets) {
  graph::EdgeFilter filter;
  if (!args.since.empty()) filter.since = parse_time_option("--since", args.since);
  if (!args.until.empty()) filter.until = parse_time_option("--until", args.until);
  if (filter.since > filter.until) throw Error(ErrorKind::Usage, "--since is after --until");

  std::vector<const store::AssetRecord*> selected;
  for (const auto& record : assets) {
    if (record.info.chain != chain) continue;
    if (args.asset.empty() || same_symbol(record.info.symbol, args.asset) ||
        (!record.info.contract.empty() && same_symbol(record.info.contract, args.asset))) {
      selected.push_back(&record);
    }
  }
  if (!args.asset.empty()) {
    if (selected.empty()) {
      throw not_found("asset '" + args.asset + "' has no transfers on " + std::string(core::to_string(chain)) +
                      " in this store");
    }
    if (selected.size() > 1) {
      std::string contracts;
      for (const auto* record : selected) contracts += " " + (record->info.contract.empty() ? "(no contract)" : record->info.contract);
      throw Error(ErrorKind::Usage, "asset '" + args.asset + "' is ambiguous on " + std::string(core::to_string(chain)) +
                                        ": pass one contract of" + contracts);
    }
    filter.only_asset(static_cast<std::uint32_t>(selected.front()->id));
  }
  if (!args.min_amount.empty()) {
    for (const auto* record : selected) {
      try {
        filter.set_min_amount(static_cast<std::uint32_t>(record->id),
                              minimum_in_base_units(args.min_amount, record->info.decimals));
      } catch (const Error& error) {
        throw Error(ErrorKind::Usage, std::string("--min-amount: ") + error.what());
      }
    }
  }
  return filter;
}

}  // namespace fundtrail::cli
