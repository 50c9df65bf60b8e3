// Benchmark (c) of issue [2] without the network: Esplora history pages recorded from a scenario are parsed
// and stored as BtcCrawler does it (EsploraSource::parse_history_page, the evidence record, BtcWriter, the
// crawl cursor, grouped into SQLite transactions by the crawler's PageCommitBatch with its default limits),
// and transactions per second are printed. tools/bench_ingest builds and runs it.
//
//   bench_ingest_store SCENARIO.json STORE.db [--page-size 25] [--runs 3] [--pages-per-commit N]
//
// --pages-per-commit N replaces the crawler's limits by "every N pages" (1 = how the crawler committed
// before batching), for comparison.
//
// SCENARIO.json: tests/ingest/make_esplora_scenario.py output ({"transactions": [Esplora /tx objects]}).
// Pages are the scenario's transactions in file order, 25 per page, serialised as the server sends them.
#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fundtrail/ingest/esplora_source.hpp"
#include "fundtrail/ingest/http_evidence.hpp"
#include "fundtrail/ingest/page_commit_batch.hpp"
#include "fundtrail/store/btc_writer.hpp"
#include "fundtrail/store/case_store.hpp"
#include "fundtrail/store/crawl_state.hpp"
#include "fundtrail/store/sqlite.hpp"
#include "fundtrail/store/transfer_writer.hpp"

using namespace fundtrail;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: bench_ingest_store SCENARIO.json STORE.db [--page-size N] [--runs N]\n";
    return 2;
  }
  std::size_t page_size = 25;
  int runs = 3;
  std::optional<std::size_t> pages_per_commit;
  for (int i = 3; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--page-size") page_size = std::stoul(argv[i + 1]);
    if (std::string(argv[i]) == "--runs") runs = std::stoi(argv[i + 1]);
    if (std::string(argv[i]) == "--pages-per-commit") pages_per_commit = std::stoul(argv[i + 1]);
  }
  std::ifstream in(argv[1]);
  const nlohmann::json scenario = nlohmann::json::parse(in);
  const nlohmann::json& txs = scenario.is_array() ? scenario : scenario.at("transactions");
  std::vector<std::string> pages;
  for (std::size_t start = 0; start < txs.size(); start += page_size) {
    nlohmann::json page = nlohmann::json::array();
    for (std::size_t i = start; i < std::min(txs.size(), start + page_size); ++i) page.push_back(txs[i]);
    pages.push_back(page.dump());
  }
  std::size_t bytes = 0;
  for (const auto& page : pages) bytes += page.size();

  double best = 0;
  for (int run = 0; run < runs; ++run) {
    const std::string path = argv[2];
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    store::CaseStore store(path, store::OpenMode::CreateIfMissing);
    store::ForeignKeysSuspended foreign_keys(store);  // as the crawler does
    store::BtcWriter writer(store);
    store::CrawlState state(store);
    const std::string wallet = "bc1qbenchbenchbenchbenchbenchbenchbenchbench";
    state.enqueue(core::Chain::Btc, wallet, 0);
    ingest::PageCommitLimits limits;
    if (pages_per_commit) {
      limits.max_pages = *pages_per_commit;
      limits.max_age = std::chrono::hours(1);
    }
    std::size_t stored = 0;
    double parse_seconds = 0;
    double page_work_seconds = 0;
    double commit_seconds = 0;
    // CPU time too: on a shared machine it varies less with the load than the wall clock.
    timespec cpu0{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu0);
    const auto start = std::chrono::steady_clock::now();
    ingest::PageCommitBatch batch(store.db(), limits);
    for (std::size_t p = 0; p < pages.size(); ++p) {
      ingest::HttpResponse response;
      response.status = 200;
      response.body = pages[p];
      const std::string url = "http://127.0.0.1/address/bench/txs/chain/" + std::to_string(p);
      const auto page_start = std::chrono::steady_clock::now();
      // As the crawler: parsed first, then written without a savepoint when the page cannot fail on its data.
      const ingest::EsploraPage page = ingest::EsploraSource::parse_history_page(response, url);
      parse_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - page_start).count();
      const auto write_start = std::chrono::steady_clock::now();
      std::optional<std::vector<std::vector<core::Transfer>>> checked;
      batch.write_page(
          [&] {
            checked = writer.check_new_page(page.transactions);
            return checked ? ingest::PageRisk::StorageOnly : ingest::PageRisk::Data;
          },
          [&] {
            const auto inner_start = std::chrono::steady_clock::now();
            const auto source = writer.transfers().add_source(ingest::http_evidence("esplora", url, response, false));
            for (std::size_t k = 0; k < page.transactions.size(); ++k) {
              const core::BtcTransaction& tx = page.transactions[k];
              const store::WriteOutcome outcome =
                  checked ? writer.write_new(tx, std::move((*checked)[k]), source, 1'700'000'000)
                          : writer.write(tx, source, 1'700'000'000);
              if (outcome == store::WriteOutcome::Inserted) ++stored;
            }
            state.save_page(core::Chain::Btc, wallet, page.next_cursor,
                            static_cast<std::int64_t>(page.transactions.size()));
            store.bump_data_version();
            page_work_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - inner_start).count();
          });
      // What write_page adds around the page: the savepoint and, when the batch is due, the commit.
      commit_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - write_start).count();
    }
    const auto commit_start = std::chrono::steady_clock::now();
    batch.commit();
    commit_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - commit_start).count();
    commit_seconds -= page_work_seconds;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    timespec cpu1{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu1);
    const double cpu = (cpu1.tv_sec - cpu0.tv_sec) + (cpu1.tv_nsec - cpu0.tv_nsec) / 1e9;
    const double rate = static_cast<double>(stored) / seconds;
    best = std::max(best, rate);
    std::printf("run %d: %zu transactions in %zu pages (%.1f MB of JSON) stored in %.3f s: %.0f transactions/s "
                "(parsing %.3f s, commits %.3f s, writing the rest; %.3f s of CPU: %.0f transactions per CPU-second; "
                "%zu pages in a savepoint)\n",
                run + 1, stored, pages.size(), static_cast<double>(bytes) / 1e6, seconds, rate, parse_seconds,
                commit_seconds, cpu, static_cast<double>(stored) / cpu, batch.savepoints());
  }
  std::printf("best: %.0f transactions/s (target 50000)\n", best);
  return 0;
}
