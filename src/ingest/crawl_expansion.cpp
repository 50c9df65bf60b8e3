#include "crawl_expansion.hpp"

#include "fundtrail/store/sqlite.hpp"

namespace fundtrail::ingest {

void expand_wallet(store::CrawlState& state, core::Chain chain, const std::string& address, int hop, unsigned hops,
                   const CounterpartiesOf& counterparties) {
  if (hop + 1 >= static_cast<int>(hops)) return;
  for (const std::string& next : counterparties(address)) {
    if (state.enqueue(chain, next, hop + 1)) {
      const auto entry = state.find(chain, next);
      if (entry && entry->status == store::CrawlStatus::Done) expand_wallet(state, chain, next, hop + 1, hops, counterparties);
    }
  }
}

void expand_completed_wallets(store::CaseStore& store, store::CrawlState& state, core::Chain chain, unsigned hops,
                              const CounterpartiesOf& counterparties) {
  store::Transaction transaction(store.db());
  for (const store::CrawlEntry& entry : state.all(chain)) {
    if (entry.status == store::CrawlStatus::Done && entry.hop + 1 < static_cast<int>(hops)) {
      expand_wallet(state, chain, entry.address, entry.hop, hops, counterparties);
    }
  }
  transaction.commit();
}

}  // namespace fundtrail::ingest
