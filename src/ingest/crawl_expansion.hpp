#pragma once
// Breadth-first expansion shared by the address crawlers (BtcCrawler, AccountCrawler): how a completed
// wallet's counterparties enter the crawl queue. Each crawler says only where counterparties come from
// (Bitcoin: the stored UTXO data; account chains: the links recorded with each page).
#include <functional>
#include <string>
#include <vector>

#include "fundtrail/core/chain.hpp"
#include "fundtrail/ingest/crawl_options.hpp"
#include "fundtrail/store/case_store.hpp"
#include "fundtrail/store/crawl_state.hpp"

namespace fundtrail::ingest {

// Queues the counterparties of `address` (complete at `hop`) at hop + 1 when hop + 1 < `hops`. A wallet
// already complete that is now reached at a lower hop is expanded again from that hop. Runs inside the
// caller's transaction.
void expand_wallet(store::CrawlState& state, core::Chain chain, const std::string& address, int hop, unsigned hops,
                   const CounterpartiesOf& counterparties);

// Expands every complete wallet of `state` again, in one transaction: a rerun with more hops (or after an
// interruption between a wallet's last page and its expansion) re-derives the queue; enqueue() never loses
// progress.
void expand_completed_wallets(store::CaseStore& store, store::CrawlState& state, core::Chain chain, unsigned hops,
                              const CounterpartiesOf& counterparties);

}  // namespace fundtrail::ingest
