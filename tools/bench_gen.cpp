// Synthetic transfer store for tools/bench: deterministic, heavy-tailed, TRON USDT (or generic) transfers.
//
//   bench_gen --transfers N --seed S --out FILE.csv --meta FILE.json [--chain tron|generic]
//
// Model (all draws from one seeded xoshiro256** stream, so a (N, S, chain) triple always gives the same bytes):
//   * W = max(N / 5, 100) wallets. Wallets 0..7 are exchange-like hubs; the others get independent Pareto
//     (alpha 1.5, x_min 1) send and receive weights, so both degree distributions are heavy-tailed.
//   * Each transfer picks its sender and its receiver independently: with probability 10 % a hub (hub r with
//     weight 1/(r+1)), otherwise a wallet drawn by weight. No self-transfers.
//   * Timestamps uniform over 2024 (ISO-8601 UTC), rows written in time order; amount 10^U(0,5) with 6
//     decimals; unique 64-hex tx hashes; TRON block heights consistent with the timestamps (3 s blocks).
//   * TRON addresses are real Base58Check encodings of 0x41 + 20 pseudo-random bytes.
// The meta file names the bench's seed wallets (chosen deterministically from the degrees, see below).
//
// Built by tools/bench with: g++ -O2 -std=c++20 bench_gen.cpp -o bench_gen -lcrypto
#include <openssl/sha.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Rng {  // xoshiro256**, seeded through splitmix64
  std::uint64_t s[4];
  explicit Rng(std::uint64_t seed) {
    for (auto& word : s) {
      seed += 0x9e3779b97f4a7c15ULL;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      word = z ^ (z >> 31);
    }
  }
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
    const std::uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  std::uint64_t below(std::uint64_t n) { return next() % n; }
};

constexpr int kHubs = 8;
constexpr double kHubShare = 0.10;
constexpr double kParetoAlpha = 1.6;
constexpr std::int64_t kYearStart = 1704067200;  // 2024-01-01T00:00:00Z
constexpr std::int64_t kYearSeconds = 366LL * 86400;
constexpr std::int64_t kTronHeightAtStart = 57000000;

const char* kBase58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

std::string base58(const unsigned char* data, std::size_t size) {
  std::vector<unsigned char> digits;  // little-endian base-58 digits
  for (std::size_t i = 0; i < size; ++i) {
    unsigned carry = data[i];
    for (auto& d : digits) {
      carry += static_cast<unsigned>(d) << 8;
      d = static_cast<unsigned char>(carry % 58);
      carry /= 58;
    }
    while (carry > 0) {
      digits.push_back(static_cast<unsigned char>(carry % 58));
      carry /= 58;
    }
  }
  std::string out;
  for (std::size_t i = 0; i < size && data[i] == 0; ++i) out.push_back('1');
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out.push_back(kBase58[*it]);
  return out;
}

std::string tron_address(std::uint64_t wallet, std::uint64_t seed) {
  unsigned char payload[25];
  payload[0] = 0x41;
  Rng rng(seed * 0x100000001b3ULL ^ (wallet + 1) * 0xd1342543de82ef95ULL);
  for (int i = 0; i < 20; i += 8) {
    std::uint64_t word = rng.next();
    for (int j = 0; j < 8 && i + j < 20; ++j) payload[1 + i + j] = static_cast<unsigned char>(word >> (8 * j));
  }
  unsigned char first[32], second[32];
  SHA256(payload, 21, first);
  SHA256(first, 32, second);
  std::memcpy(payload + 21, second, 4);
  return base58(payload, 25);
}

// Picks an index by cumulative weight (binary search).
std::uint32_t pick(const std::vector<double>& cumulative, double u) {
  const double target = u * cumulative.back();
  auto it = std::upper_bound(cumulative.begin(), cumulative.end(), target);
  if (it == cumulative.end()) --it;
  return static_cast<std::uint32_t>(it - cumulative.begin());
}

struct Row {
  std::int64_t ts;
  std::uint32_t from;
  std::uint32_t to;
  std::uint64_t micro;  // amount in base units (6 decimals)
};

void usage() {
  std::fprintf(stderr, "usage: bench_gen --transfers N --seed S --out FILE.csv --meta FILE.json [--chain tron|generic]\n");
  std::exit(2);
}

std::string json_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t transfers = 0;
  std::uint64_t seed = 20240601;
  std::string out_path, meta_path, chain = "tron";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) usage();
    if (arg == "--transfers") transfers = std::strtoull(argv[++i], nullptr, 10);
    else if (arg == "--seed") seed = std::strtoull(argv[++i], nullptr, 10);
    else if (arg == "--out") out_path = argv[++i];
    else if (arg == "--meta") meta_path = argv[++i];
    else if (arg == "--chain") chain = argv[++i];
    else usage();
  }
  if (transfers == 0 || out_path.empty() || meta_path.empty() || (chain != "tron" && chain != "generic")) usage();

  const std::uint64_t wallets = std::max<std::uint64_t>(transfers / 5, 100);
  Rng rng(seed);

  // Weights: hubs separately; ordinary wallets Pareto(alpha) for sending and for receiving.
  std::vector<double> send_cum(wallets - kHubs), recv_cum(wallets - kHubs), hub_cum(kHubs);
  double acc_send = 0, acc_recv = 0, acc_hub = 0;
  for (std::uint64_t w = 0; w < wallets - kHubs; ++w) {
    acc_send += std::pow(1.0 - rng.uniform(), -1.0 / kParetoAlpha);
    acc_recv += std::pow(1.0 - rng.uniform(), -1.0 / kParetoAlpha);
    send_cum[w] = acc_send;
    recv_cum[w] = acc_recv;
  }
  for (int h = 0; h < kHubs; ++h) hub_cum[h] = (acc_hub += 1.0 / (h + 1));

  auto draw = [&](const std::vector<double>& cumulative) -> std::uint32_t {
    if (rng.uniform() < kHubShare) return pick(hub_cum, rng.uniform());
    return kHubs + pick(cumulative, rng.uniform());
  };

  std::vector<Row> rows(transfers);
  for (auto& row : rows) {
    row.from = draw(send_cum);
    do row.to = draw(recv_cum); while (row.to == row.from);
    row.ts = kYearStart + static_cast<std::int64_t>(rng.below(kYearSeconds));
    const double whole = std::floor(std::pow(10.0, rng.uniform() * 5.0));
    row.micro = static_cast<std::uint64_t>(whole) * 1000000ULL + rng.below(1000000);
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.ts < b.ts; });

  // Addresses.
  std::vector<std::string> address(wallets);
  for (std::uint64_t w = 0; w < wallets; ++w) {
    if (chain == "tron") {
      address[w] = tron_address(w, seed);
    } else {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "w%08llx", static_cast<unsigned long long>((w * 0x9e3779b1ULL) ^ seed));
      address[w] = buffer;
    }
  }

  // Day strings for ISO-8601 formatting.
  std::vector<std::string> days(367);
  {
    int year = 2024, month = 1, day = 1;
    const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (auto& text : days) {
      char buffer[40];
      std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", year, month, day);
      text = buffer;
      if (++day > month_days[month - 1]) {
        day = 1;
        if (++month > 12) {
          month = 1;
          ++year;
        }
      }
    }
  }

  FILE* out = std::fopen(out_path.c_str(), "wb");
  if (!out) {
    std::perror(out_path.c_str());
    return 1;
  }
  static char buffer[1 << 22];
  std::setvbuf(out, buffer, _IOFBF, sizeof buffer);
  std::fputs("chain,tx_hash,timestamp,from,to,asset,amount,block_height\n", out);
  std::vector<std::uint32_t> out_degree(wallets, 0), in_degree(wallets, 0);
  Rng hash_rng(seed ^ 0x5bd1e995ULL);
  for (std::uint64_t i = 0; i < transfers; ++i) {
    const Row& row = rows[i];
    ++out_degree[row.from];
    ++in_degree[row.to];
    const std::int64_t offset = row.ts - kYearStart;
    const std::int64_t second = offset % 86400;
    std::fprintf(out, "%s,%016llx%016llx%016llx%016llx,%sT%02d:%02d:%02dZ,%s,%s,USDT,%llu.%06llu,%lld\n",
                 chain.c_str(), static_cast<unsigned long long>(hash_rng.next()),
                 static_cast<unsigned long long>(hash_rng.next()), static_cast<unsigned long long>(hash_rng.next()),
                 static_cast<unsigned long long>(hash_rng.next()), days[offset / 86400].c_str(),
                 static_cast<int>(second / 3600), static_cast<int>(second / 60 % 60), static_cast<int>(second % 60),
                 address[row.from].c_str(), address[row.to].c_str(),
                 static_cast<unsigned long long>(row.micro / 1000000), static_cast<unsigned long long>(row.micro % 1000000),
                 static_cast<long long>(kTronHeightAtStart + offset / 3));
  }
  if (std::fclose(out) != 0) {
    std::perror(out_path.c_str());
    return 1;
  }

  // Seed wallets. Mid-degree: among non-hub wallets with out-degree >= 3, the lower median out-degree m;
  // the seed is the lowest-numbered wallet with out-degree m. Isolated: the lowest-numbered wallet that
  // received something and sent nothing (a trace from it visits one wallet: pure start-up cost).
  std::vector<std::uint32_t> degrees;
  std::uint64_t active = 0, senders = 0;
  for (std::uint64_t w = kHubs; w < wallets; ++w) {
    if (out_degree[w] >= 3) degrees.push_back(out_degree[w]);
    if (out_degree[w] + in_degree[w] > 0) ++active;
    if (out_degree[w] > 0) ++senders;
  }
  std::uint32_t median = 0;
  if (!degrees.empty()) {
    std::nth_element(degrees.begin(), degrees.begin() + (degrees.size() - 1) / 2, degrees.end());
    median = degrees[(degrees.size() - 1) / 2];
  }
  std::int64_t mid = -1, isolated = -1;
  std::uint32_t max_ordinary = 0;
  for (std::uint64_t w = kHubs; w < wallets; ++w) {
    if (mid < 0 && out_degree[w] == median) mid = static_cast<std::int64_t>(w);
    if (isolated < 0 && out_degree[w] == 0 && in_degree[w] > 0) isolated = static_cast<std::int64_t>(w);
    max_ordinary = std::max(max_ordinary, out_degree[w] + in_degree[w]);
  }
  if (mid < 0 || isolated < 0) {
    std::fprintf(stderr, "bench_gen: no suitable seed wallets (too few transfers?)\n");
    return 1;
  }

  FILE* meta = std::fopen(meta_path.c_str(), "w");
  if (!meta) {
    std::perror(meta_path.c_str());
    return 1;
  }
  std::fprintf(meta, "{\n  \"transfers\": %llu,\n  \"seed\": %llu,\n  \"chain\": \"%s\",\n  \"wallets\": %llu,\n",
               static_cast<unsigned long long>(transfers), static_cast<unsigned long long>(seed), chain.c_str(),
               static_cast<unsigned long long>(wallets));
  std::fprintf(meta, "  \"active_wallets\": %llu,\n  \"sending_wallets\": %llu,\n",
               static_cast<unsigned long long>(active), static_cast<unsigned long long>(senders));
  std::fprintf(meta, "  \"median_out_degree_of_senders_ge3\": %u,\n  \"max_ordinary_degree\": %u,\n", median,
               max_ordinary);
  std::fprintf(meta, "  \"mid_wallet\": {\"address\": \"%s\", \"out_degree\": %u, \"in_degree\": %u},\n",
               json_escape(address[mid]).c_str(), out_degree[mid], in_degree[mid]);
  std::fprintf(meta, "  \"isolated_wallet\": {\"address\": \"%s\", \"out_degree\": %u, \"in_degree\": %u},\n",
               json_escape(address[isolated]).c_str(), out_degree[isolated], in_degree[isolated]);
  std::fprintf(meta, "  \"hubs\": [");
  for (int h = 0; h < kHubs; ++h) {
    std::fprintf(meta, "%s\n    {\"address\": \"%s\", \"out_degree\": %u, \"in_degree\": %u}", h ? "," : "",
                 json_escape(address[h]).c_str(), out_degree[h], in_degree[h]);
  }
  std::fprintf(meta, "\n  ]\n}\n");
  std::fclose(meta);
  return 0;
}
