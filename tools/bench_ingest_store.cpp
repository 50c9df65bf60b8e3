// Benchmark (c) of issue [2] without the network: Esplora history pages recorded from a scenario are parsed
// and stored exactly as BtcCrawler does it (one SQLite transaction per page with its evidence record), and
// transactions per second are printed. tools/bench_ingest builds and runs it.
//
//   bench_ingest_store SCENARIO.json STORE.db [--page-size 25] [--runs 3]
//
// SCENARIO.json: tests/ingest/make_esplora_scenario.py output ({"transactions": [Esplora /tx objects]}).
// Pages are the scenario's transactions in file order, 25 per page, serialised as the server sends them.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fundtrail/ingest/esplora_json.hpp"
#include "fundtrail/ingest/http_evidence.hpp"
#include "fundtrail/store/btc_writer.hpp"
#include "fundtrail/store/case_store.hpp"
#include "fundtrail/store/sqlite.hpp"

using namespace fundtrail;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: bench_ingest_store SCENARIO.json STORE.db [--page-size N] [--runs N]\n";
    return 2;
  }
  std::size_t page_size = 25;
  int runs = 3;
  std::size_t pages_per_commit = 1;
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
    store::BtcWriter writer(store);
    std::size_t stored = 0;
    double parse_seconds = 0;
    double commit_seconds = 0;
    const auto start = std::chrono::steady_clock::now();
    std::optional<store::Transaction> transaction;
    for (std::size_t p = 0; p < pages.size(); ++p) {
      ingest::HttpResponse response;
      response.status = 200;
      response.body = pages[p];
      const std::string url = "http://127.0.0.1/address/bench/txs/chain/" + std::to_string(p);
      const auto parse_start = std::chrono::steady_clock::now();
      std::vector<core::BtcTransaction> parsed = ingest::parse_esplora_tx_list(response.body, url);
      parse_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - parse_start).count();
      if (!transaction) transaction.emplace(store.db());
      const auto source = writer.transfers().add_source(ingest::http_evidence("esplora", url, response, false));
      for (const core::BtcTransaction& tx : parsed) {
        if (writer.write(tx, source, 1'700'000'000) == store::WriteOutcome::Inserted) ++stored;
      }
      store.bump_data_version();
      if ((p + 1) % pages_per_commit != 0 && p + 1 != pages.size()) continue;
      const auto commit_start = std::chrono::steady_clock::now();
      transaction->commit();
      transaction.reset();
      commit_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - commit_start).count();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double rate = static_cast<double>(stored) / seconds;
    best = std::max(best, rate);
    std::printf("run %d: %zu transactions in %zu pages (%.1f MB of JSON) stored in %.3f s: %.0f transactions/s "
                "(parsing %.3f s, commits %.3f s, writing the rest)\n",
                run + 1, stored, pages.size(), static_cast<double>(bytes) / 1e6, seconds, rate, parse_seconds,
                commit_seconds);
  }
  std::printf("best: %.0f transactions/s (target 50000)\n", best);
  return 0;
}
