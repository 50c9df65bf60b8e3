// BitcoindRpc (Bitcoin Core JSON-RPC over PoliteClient) against a scripted ReplayTransport: request bodies,
// the Authorization header, how HTTP statuses and JSON-RPC errors are told apart, batches; plus credentials
// (cookie file, environment) and the getblock parser.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fundtrail/core/error.hpp"
#include "fundtrail/ingest/bitcoind_json.hpp"
#include "fundtrail/ingest/bitcoind_rpc.hpp"
#include "fundtrail/ingest/http_transport.hpp"
#include "fundtrail/ingest/polite_client.hpp"
#include "support/instant_clock.hpp"
#include "support/shared_data.hpp"

namespace fundtrail::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;
using fundtrail::test::InstantClock;
using fundtrail::test::response;

constexpr const char* kEndpoint = "http://127.0.0.1:18332";

std::optional<std::string> header_of(const HttpRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

struct Fixture {
  ReplayTransport replay;
  std::unique_ptr<BitcoindRpc> rpc;

  explicit Fixture(std::optional<RpcCredentials> credentials = RpcCredentials{"alice", "s3cr:et", "test"},
                   unsigned concurrency = 1) {
    PolitenessOptions politeness;
    politeness.concurrency = concurrency;
    politeness.max_attempts = 4;
    rpc = std::make_unique<BitcoindRpc>(kEndpoint, std::move(credentials), [this] { return replay.make_handle(); },
                                        politeness, std::make_shared<InstantClock>());
  }
  void answer(int status, const std::string& body, std::size_t times = 1) {
    replay.enqueue(kEndpoint, response(status, body), times);
  }
};

TEST(Base64, MatchesRfc4648TestVectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\xff\xfe\x00", 3)), "//4A");
  // RFC 7617's example.
  EXPECT_EQ(basic_authorization({"Aladdin", "open sesame", ""}), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

TEST(BitcoindRpc, PostsAJsonRpc10BodyWithBasicAuth) {
  Fixture f;
  f.answer(200, R"({"result":"00000000000000000000000000000000000000000000000000000000000000ab","error":null,"id":1})");
  const RpcReply reply = f.rpc->call("getblockhash", json::array({2583053}));
  EXPECT_EQ(reply.result.get<std::string>(), "00000000000000000000000000000000000000000000000000000000000000ab");
  EXPECT_EQ(reply.response.status, 200);

  const std::vector<HttpRequest> requests = f.replay.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].url, kEndpoint);
  EXPECT_EQ(requests[0].body, R"({"jsonrpc":"1.0","id":1,"method":"getblockhash","params":[2583053]})");
  EXPECT_EQ(header_of(requests[0], "Content-Type"), "application/json");
  // base64("alice:s3cr:et"): the password may itself contain colons.
  EXPECT_EQ(header_of(requests[0], "Authorization"), "Basic YWxpY2U6czNjcjpldA==");
  EXPECT_THAT(requests[0].url, Not(HasSubstr("alice")));
  EXPECT_THAT(requests[0].body, Not(HasSubstr("s3cr")));
}

TEST(BitcoindRpc, SendsNoAuthorizationWithoutCredentials) {
  Fixture f(std::nullopt);
  f.answer(200, R"({"result":5,"error":null,"id":1})");
  f.rpc->call("getblockcount", json::array());
  ASSERT_EQ(f.replay.request_count(), 1u);
  EXPECT_EQ(header_of(f.replay.requests()[0], "Authorization"), std::nullopt);
}

TEST(BitcoindRpc, IdsIncreasePerCall) {
  Fixture f;
  f.answer(200, R"({"result":1,"error":null,"id":1})");
  f.answer(200, R"({"result":2,"error":null,"id":2})");
  EXPECT_EQ(f.rpc->call("getblockcount", json::array()).result, 1);
  EXPECT_EQ(f.rpc->call("getblockcount", json::array()).result, 2);
  EXPECT_EQ(json::parse(f.replay.requests()[1].body)["id"], 2);
}

TEST(BitcoindRpc, RpcErrorInAnHttp500IsReportedWithMethodAndCodeAndNotRetried) {
  Fixture f;
  f.answer(500, R"({"result":null,"error":{"code":-5,"message":"No such mempool or blockchain transaction. Use gettransaction for wallet transactions."},"id":1})",
           4);
  const std::string txid(64, 'a');
  try {
    f.rpc->getrawtransactions({txid});
    FAIL() << "no error";
  } catch (const RpcError& error) {
    EXPECT_EQ(error.code(), -5);
    EXPECT_EQ(error.method(), "getrawtransaction");
    EXPECT_EQ(error.kind(), ErrorKind::NotFound);
    EXPECT_THAT(error.what(), HasSubstr("getrawtransaction " + txid));
    EXPECT_THAT(error.what(), HasSubstr("RPC error -5: No such mempool or blockchain transaction"));
    EXPECT_THAT(error.what(), HasSubstr("needs -txindex or the transaction is unknown"));
    EXPECT_THAT(error.what(), HasSubstr("[HTTP 500]"));
    EXPECT_THAT(error.what(), HasSubstr(kEndpoint));
  }
  EXPECT_EQ(f.replay.request_count(), 1u) << "a JSON-RPC error is an answer, not a server fault";
}

TEST(BitcoindRpc, OtherRpcErrorsNameMethodAndCode) {
  Fixture f;
  f.answer(500, R"({"result":null,"error":{"code":-8,"message":"Block height out of range"},"id":1})");
  try {
    f.rpc->call("getblockhash", json::array({99999999}));
    FAIL() << "no error";
  } catch (const RpcError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::InvalidArgument);
    EXPECT_THAT(error.what(), HasSubstr("getblockhash 99999999: RPC error -8: Block height out of range"));
  }
  // An unknown method: Core answers 404 with a JSON-RPC error.
  f.answer(404, R"({"result":null,"error":{"code":-32601,"message":"Method not found"},"id":2})");
  EXPECT_THROW(
      {
        try {
          f.rpc->call("getblockfilter", json::array());
        } catch (const RpcError& error) {
          EXPECT_THAT(error.what(), HasSubstr("getblockfilter: RPC error -32601: Method not found"));
          throw;
        }
      },
      RpcError);
}

TEST(BitcoindRpc, JsonRpc20ErrorWithStatus200IsAnError) {
  Fixture f;
  f.answer(200, R"({"jsonrpc":"2.0","error":{"code":-5,"message":"Block not found"},"id":1})");
  EXPECT_THROW(f.rpc->getblock(std::string(64, 'b')), RpcError);
}

TEST(BitcoindRpc, Http401IsAuthenticationFailedAndNotRetried) {
  Fixture f;
  f.answer(401, "", 4);
  try {
    f.rpc->call("getblockcount", json::array());
    FAIL() << "no error";
  } catch (const RpcError&) {
    FAIL() << "a 401 is not an RPC error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::IoError);
    EXPECT_THAT(error.what(), HasSubstr("authentication failed"));
    EXPECT_THAT(error.what(), HasSubstr("credentials from test"));
    EXPECT_THAT(error.what(), Not(HasSubstr("s3cr")));
  }
  EXPECT_EQ(f.replay.request_count(), 1u);
}

TEST(BitcoindRpc, Http401WithoutCredentialsSaysHowToGiveThem) {
  Fixture f(std::nullopt);
  f.answer(401, "");
  try {
    f.rpc->call("getblockcount", json::array());
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("authentication failed"));
    EXPECT_THAT(error.what(), HasSubstr("BITCOIND_RPC_USER"));
    EXPECT_THAT(error.what(), HasSubstr("--rpc-cookie"));
  }
}

TEST(BitcoindRpc, Http403NamesRpcallowip) {
  Fixture f;
  f.answer(403, "");
  EXPECT_THROW(
      {
        try {
          f.rpc->call("getblockcount", json::array());
        } catch (const Error& error) {
          EXPECT_THAT(error.what(), HasSubstr("rpcallowip"));
          throw;
        }
      },
      Error);
  EXPECT_EQ(f.replay.request_count(), 1u);
}

TEST(BitcoindRpc, WorkQueueFullIsRetried) {
  Fixture f;
  f.answer(503, "Work queue depth exceeded");
  f.answer(500, "Work queue depth exceeded");  // a 5xx without a JSON-RPC error is a server fault either way
  f.answer(200, R"({"result":7,"error":null,"id":1})");
  EXPECT_EQ(f.rpc->call("getblockcount", json::array()).result, 7);
  EXPECT_EQ(f.replay.request_count(), 3u);
  EXPECT_EQ(f.rpc->client().stats().retries, 2u);
  // Every attempt is the same request.
  const auto requests = f.replay.requests();
  EXPECT_EQ(requests[0].body, requests[2].body);
}

TEST(BitcoindRpc, PersistentServerFaultFailsAfterTheRetryBudget) {
  Fixture f;
  f.answer(503, "Work queue depth exceeded", 4);
  EXPECT_THROW(f.rpc->call("getblockcount", json::array()), Error);
  EXPECT_EQ(f.replay.request_count(), 4u);
}

TEST(BitcoindRpc, AnswerForAnotherIdIsRefused) {
  Fixture f;
  f.answer(200, R"({"result":7,"error":null,"id":99})");
  try {
    f.rpc->call("getblockcount", json::array());
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::InvalidArgument);
    EXPECT_THAT(error.what(), HasSubstr("request id 99"));
  }
}

TEST(BitcoindRpc, HtmlErrorPageIsAnIoErrorWithTheStatus) {
  Fixture f;
  f.answer(404, "<html><body>Not Found</body></html>");
  try {
    f.rpc->call("getblockcount", json::array());
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::IoError);
    EXPECT_THAT(error.what(), HasSubstr("HTTP status 404"));
  }
}

TEST(BitcoindRpc, BatchSendsOneArrayAndReturnsResultsInCallOrder) {
  Fixture f;
  // The node may answer a batch in any order: ids, not positions, say which answer is which.
  f.answer(200, R"([{"result":"cc","error":null,"id":3},{"result":"aa","error":null,"id":1},)"
                R"({"result":"bb","error":null,"id":2}])");
  const std::vector<json> results = f.rpc->batch({{"getblockhash", json::array({10})},
                                                  {"getblockhash", json::array({11})},
                                                  {"getblockhash", json::array({12})}});
  EXPECT_THAT(results, ElementsAre(json("aa"), json("bb"), json("cc")));
  ASSERT_EQ(f.replay.request_count(), 1u);
  const json sent = json::parse(f.replay.requests()[0].body);
  ASSERT_TRUE(sent.is_array());
  ASSERT_EQ(sent.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(sent[i]["jsonrpc"], "1.0");
    EXPECT_EQ(sent[i]["id"], i + 1);
    EXPECT_EQ(sent[i]["method"], "getblockhash");
    EXPECT_EQ(sent[i]["params"], json::array({10 + i}));
  }
  EXPECT_EQ(header_of(f.replay.requests()[0], "Authorization"), "Basic YWxpY2U6czNjcjpldA==");
}

TEST(BitcoindRpc, BatchErrorNamesTheFailingCall) {
  Fixture f;
  f.answer(200, R"([{"result":"aa","error":null,"id":1},)"
                R"({"result":null,"error":{"code":-8,"message":"Block height out of range"},"id":2}])");
  try {
    f.rpc->batch({{"getblockhash", json::array({10})}, {"getblockhash", json::array({99999999})}});
    FAIL() << "no error";
  } catch (const RpcError& error) {
    EXPECT_EQ(error.code(), -8);
    EXPECT_THAT(error.what(), HasSubstr("getblockhash 99999999: RPC error -8"));
  }
}

TEST(BitcoindRpc, BatchWithAMissingAnswerIsRefused) {
  Fixture f;
  f.answer(200, R"([{"result":"aa","error":null,"id":1}])");
  EXPECT_THROW(f.rpc->batch({{"getblockhash", json::array({10})}, {"getblockhash", json::array({11})}}), Error);
}

TEST(BitcoindRpc, BlockHashesBatchesHeightsInOrder) {
  Fixture f;
  f.answer(200, R"([{"result":")" + std::string(64, 'A') + R"(","error":null,"id":1},{"result":")" +
                    std::string(64, 'b') + R"(","error":null,"id":2}])");
  EXPECT_THAT(f.rpc->block_hashes(7, 8), ElementsAre(std::string(64, 'a'), std::string(64, 'b')));
  EXPECT_EQ(json::parse(f.replay.requests()[0].body)[1]["params"], json::array({8}));
}

TEST(BitcoindRpc, AmountsInResultsStayExact) {
  Fixture f;
  f.answer(200, R"({"result":{"value":0.00488600,"big":21000000.00000001},"error":null,"id":1})");
  const RpcReply reply = f.rpc->call("x", json::array());
  ASSERT_TRUE(reply.result["value"].is_binary());
  const auto& bytes = reply.result["value"].get_binary();
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), "0.00488600");
}

TEST(BitcoindRpc, CallAllAnswersEachCallInOrderWithOneRequestPerCall) {
  Fixture f;
  f.answer(200, R"({"result":"first","error":null,"id":1})");
  f.answer(200, R"({"result":"second","error":null,"id":2})");
  const auto replies = f.rpc->call_all({{"getblock", json::array({"x", 3})}, {"getblock", json::array({"y", 3})}});
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].result, "first");
  EXPECT_EQ(replies[1].result, "second");
  ASSERT_EQ(f.replay.request_count(), 2u);
  EXPECT_EQ(json::parse(f.replay.requests()[1].body)["params"], json::array({"y", 3}));
}

TEST(BitcoindRpc, EndpointWithCredentialsIsRefused) {
  ReplayTransport replay;
  try {
    BitcoindRpc rpc("http://bob:hunter2@127.0.0.1:8332", std::nullopt, [&] { return replay.make_handle(); }, {});
    FAIL() << "accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::Usage);
    EXPECT_THAT(error.what(), HasSubstr("BITCOIND_RPC_USER"));
    EXPECT_THAT(error.what(), Not(HasSubstr("hunter2")));
  }
  EXPECT_THROW(BitcoindRpc("ftp://127.0.0.1:8332", std::nullopt, [&] { return replay.make_handle(); }, {}), Error);
}

// --- credentials ---

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "fundtrail-rpc-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string write(const std::string& name, const std::string& content) const {
    const std::string file = path_ + "/" + name;
    std::filesystem::create_directories(std::filesystem::path(file).parent_path());
    std::ofstream(file, std::ios::binary) << content;
    return file;
  }

 private:
  std::string path_;
};

EnvLookup env_of(std::map<std::string, std::string> values) {
  return [values](std::string_view name) -> std::optional<std::string> {
    const auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(RpcCredentials, CookieFileIsUserColonPassword) {
  TempDir dir;
  const std::string path = dir.write(".cookie", "__cookie__:0123abcd\n");
  const RpcCredentials credentials = read_rpc_cookie(path);
  EXPECT_EQ(credentials.user, "__cookie__");
  EXPECT_EQ(credentials.password, "0123abcd");
  EXPECT_EQ(credentials.origin, "cookie file " + path);
}

TEST(RpcCredentials, BadCookieFilesAreClearErrorsThatDoNotQuoteTheContent) {
  TempDir dir;
  EXPECT_THROW(read_rpc_cookie(dir.path() + "/missing"), Error);
  const std::string path = dir.write("bad", "justasecretvalue");
  try {
    read_rpc_cookie(path);
    FAIL() << "accepted";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("user:password"));
    EXPECT_THAT(error.what(), Not(HasSubstr("justasecretvalue")));
  }
}

TEST(RpcCredentials, ResolutionOrder) {
  TempDir dir;
  const std::string cookie = dir.write("node/.cookie", "__cookie__:fromcookie");
  dir.write("home/.bitcoin/.cookie", "__cookie__:fromhome");

  // 1. An explicit cookie file wins over the environment.
  auto both = env_of({{"BITCOIND_RPC_USER", "alice"}, {"BITCOIND_RPC_PASSWORD", "pw"}, {"HOME", dir.path() + "/home"}});
  EXPECT_EQ(resolve_rpc_credentials(cookie, both)->password, "fromcookie");
  // 2. The environment.
  const auto from_env = resolve_rpc_credentials(std::nullopt, both);
  ASSERT_TRUE(from_env);
  EXPECT_EQ(from_env->user, "alice");
  EXPECT_EQ(from_env->password, "pw");
  EXPECT_EQ(from_env->origin, "BITCOIND_RPC_USER/BITCOIND_RPC_PASSWORD");
  // An empty password is a password.
  EXPECT_EQ(resolve_rpc_credentials(std::nullopt, env_of({{"BITCOIND_RPC_USER", "a"}, {"BITCOIND_RPC_PASSWORD", ""}}))
                ->password,
            "");
  // 3. ~/.bitcoin/.cookie when it exists.
  EXPECT_EQ(resolve_rpc_credentials(std::nullopt, env_of({{"HOME", dir.path() + "/home"}}))->password, "fromhome");
  // 4. Nothing.
  EXPECT_EQ(resolve_rpc_credentials(std::nullopt, env_of({{"HOME", dir.path() + "/nowhere"}})), std::nullopt);
  EXPECT_EQ(resolve_rpc_credentials(std::nullopt, env_of({})), std::nullopt);
  // Half the pair is a usage error.
  try {
    resolve_rpc_credentials(std::nullopt, env_of({{"BITCOIND_RPC_USER", "alice"}}));
    FAIL() << "accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::Usage);
    EXPECT_THAT(error.what(), HasSubstr("BITCOIND_RPC_PASSWORD"));
  }
  EXPECT_THROW(resolve_rpc_credentials(std::nullopt, env_of({{"BITCOIND_RPC_PASSWORD", "pw"}})), Error);
}

// --- getblock parsing ---

json block_with(json txs, std::int64_t confirmations = 3) {
  json block = parse_bitcoind_json(R"({"hash":")" + std::string(64, 'C') +
                                       R"(","height":100,"time":1711123214,"difficulty":1.5,"confirmations":)" +
                                       std::to_string(confirmations) + "}",
                                   "test");
  block["nTx"] = txs.size();
  block["tx"] = std::move(txs);
  return block;
}

// A verbosity 3 coinbase and a payment spending 0.01 BTC into 0.00488600 + 0.00511000 (fee 400 sat).
json verbosity3_txs() {
  const std::string text = R"([
    {"txid":")" + std::string(64, '1') + R"(","hash":")" + std::string(64, '1') + R"(","version":2,"size":100,
     "vsize":100,"weight":400,"locktime":0,"vin":[{"coinbase":"03646400","sequence":4294967295}],
     "vout":[{"value":50.00000400,"n":0,"scriptPubKey":{"asm":"","hex":"0014d2d64c40955ca3e23c76530017bbc39b6b7781b2",
       "address":"tb1q6ttycsy4tj37y0rk2vqp0w7rnd4h0qdj3585xk","type":"witness_v0_keyhash"}}]},
    {"txid":")" + std::string(64, '2') + R"(","hash":")" + std::string(64, '2') + R"(","version":2,"size":200,
     "vsize":200,"weight":800,"locktime":0,
     "vin":[{"txid":")" + std::string(64, '3') + R"(","vout":1,"scriptSig":{"asm":"","hex":""},"sequence":4294967293,
       "prevout":{"generated":false,"height":90,"value":0.01000000,"scriptPubKey":{"asm":"",
         "hex":"76a9146e84f2d601c6742a94bf9ba32bea7e3f3e377fbb88ac","address":"mqbKtarYKnoEdPheFFDGRjksvEpb2vJGNh",
         "type":"pubkeyhash"}}}],
     "vout":[{"value":0.00488600,"n":0,"scriptPubKey":{"asm":"","hex":"76a914eebde2e5b79139fe6e2fc209a90a2348abb4b19588ac",
       "address":"n3HJbF1Ps5c9ZE3UvLyjGFDvyAfjzDEBkS","type":"pubkeyhash"}},
             {"value":0.00511000,"n":1,"scriptPubKey":{"asm":"","hex":"76a9146e84f2d601c6742a94bf9ba32bea7e3f3e377fbb88ac",
       "address":"mqbKtarYKnoEdPheFFDGRjksvEpb2vJGNh","type":"pubkeyhash"}}],
     "fee":0.00000400}])";
  return parse_bitcoind_json(text, "test");
}

TEST(ParseBitcoindBlock, ParsesVerbosity3WithTheBlockContext) {
  const BitcoindBlock block = parse_bitcoind_block(block_with(verbosity3_txs()), "ctx", std::string(64, 'c'), 100);
  EXPECT_EQ(block.header.hash, std::string(64, 'c'));
  EXPECT_EQ(block.header.height, 100);
  ASSERT_EQ(block.transactions.size(), 2u);
  const core::BtcTransaction& coinbase = block.transactions[0];
  EXPECT_TRUE(core::is_coinbase(coinbase));
  EXPECT_EQ(coinbase.outputs[0].value, 5'000'000'400u);
  const core::BtcTransaction& payment = block.transactions[1];
  EXPECT_TRUE(payment.confirmed);
  EXPECT_EQ(payment.block_hash, std::string(64, 'c'));
  EXPECT_EQ(payment.block_height, 100);
  EXPECT_EQ(payment.block_time, 1711123214);
  EXPECT_EQ(payment.inputs[0].value, 1'000'000u);
  EXPECT_EQ(payment.outputs[0].value, 488'600u);
  EXPECT_EQ(payment.outputs[1].value, 511'000u);
  EXPECT_EQ(payment.fee, 400u);
}

TEST(ParseBitcoindBlock, RefusesMismatchesAndMissingPrevouts) {
  EXPECT_THROW(parse_bitcoind_block(block_with(verbosity3_txs()), "ctx", std::string(64, 'd')), Error);
  EXPECT_THROW(parse_bitcoind_block(block_with(verbosity3_txs()), "ctx", std::nullopt, 101), Error);
  // A block that left the active chain (confirmations -1).
  try {
    parse_bitcoind_block(block_with(verbosity3_txs(), -1), "ctx");
    FAIL() << "accepted";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("no longer in the active chain"));
  }
  json wrong_count = block_with(verbosity3_txs());
  wrong_count["nTx"] = 3;
  EXPECT_THROW(parse_bitcoind_block(wrong_count, "ctx"), Error);

  // Verbosity 2 (what a Core < 23 answers to verbosity 3): no prevouts.
  json no_prevout = verbosity3_txs();
  no_prevout[1]["vin"][0].erase("prevout");
  no_prevout[1].erase("fee");
  try {
    parse_bitcoind_block(block_with(no_prevout), "ctx");
    FAIL() << "accepted";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("needs Bitcoin Core >= 23"));
  }
  // Verbosity 1: txids only.
  EXPECT_THROW(parse_bitcoind_block(block_with(json::array({std::string(64, '1')})), "ctx"), Error);
}

TEST(ParseBitcoindBlock, RealVerbosity1TransactionsLackPrevouts) {
  // A real testnet getrawtransaction verbosity 1 object placed in a block: refused, not stored half-known.
  LOAD_OR_SKIP(text, fundtrail::test::shared_data("bitcoin-core-rpc-json/rawTxVerbose-"
                                                  "586c51dc94452aed9a373b0f52936c3e343c0db90f1155e985fd60e3c2e5c2b2.json"));
  json tx = parse_bitcoind_json(text, "real");
  tx.erase("blockhash");
  tx.erase("confirmations");
  tx.erase("blocktime");
  tx.erase("time");
  EXPECT_THROW(parse_bitcoind_block(block_with(json::array({tx})), "ctx"), Error);
}

}  // namespace
}  // namespace fundtrail::ingest
