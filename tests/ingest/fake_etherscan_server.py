#!/usr/bin/env python3
"""An Etherscan-API-V2-shaped server over a built-in SYNTHETIC scenario, with fault injection, for
tests/cli/etherscan_cli_test.cpp. Python 3 standard library only; nothing here is real chain data.

  fake_etherscan_server.py [--chain-id 1] [--require-key KEY] [--max-offset 1000] [--rate-limit-first N]
                           [--html-once NTH] [--truncate-once NTH]

Listens on 127.0.0.1 (ephemeral port), prints the port as the first line of stdout, serves until killed.

  GET /v2/api?chainid=&module=account&action=txlist|txlistinternal|tokentx&address=&startblock=&endblock=
             &page=&offset=&sort=asc|desc[&apikey=]
      {"status":"1","message":"OK","result":[records]} with every value a string, as Etherscan answers;
      {"status":"0","message":"No transactions found","result":[]} when the range holds none; otherwise
      status "0", message "NOTOK" and the real error text as result: chainid missing or not --chain-id,
      apikey missing or wrong (only with --require-key), unknown module/action, bad address, page x offset
      > 10000 ("Result window is too large ..."), offset > --max-offset (the free tier's 1,000 records).
      A record is listed for its `from` and `to` (and `contractAddress` of a contract creation), ordered by
      block then scenario order.
  GET /api?...      the V1 deprecation answer
  GET /__stats      {"total", "actions": {action: n}, "apikeys": [distinct keys seen], "rate_limited",
                    "faults"} (/__stats and /__scenario not counted)
  GET /__scenario   {"chain_id", "wallets": {name: address}, "transfers": [...], "failed": [tx hashes]}: every
                    value movement of the scenario (kind native|internal|token, tx_hash, from, to, contract
                    ("" for ether), symbol, decimals, amount in base units, block, timestamp); zero-value
                    token transfers included, failed transactions and failed internal calls not.

Faults (counted over /v2/api requests, from 1): --rate-limit-first N answers the first N with HTTP 200
{"status":"0","message":"NOTOK","result":"Max rate limit reached"}; --html-once NTH answers request NTH with
an HTML page (HTTP 200, text/html); --truncate-once NTH answers request NTH with its JSON cut in half (a
complete HTTP response whose body is truncated JSON).

The scenario (block B = 18,000,000 + n, timestamp 1,700,000,000 + 12 n):
  funder -> seed 10 ETH (n=0); seed -> alice 1.5 ETH (10); seed -> mixer 2 ETH, inside it mixer -> dave
  1.2 ETH and mixer -> eve 0.8 ETH as internal transfers (20); seed -> bob 25,000 USDT (30); seed -> carol
  7 HOSTILE (a fake token whose symbol and name carry markup and control characters) (40); seed -> alice
  5 ETH, reverted (50); a zero-value USDT transfer seed -> lookalike (alice's first and last hex digits) sent
  by a poisoner (60); bob -> eve 20,000 USDT (70); carol -> dave 0.3 ETH (80); dave calls mixer, whose
  internal send to dave fails (90); dave -> frank 1 ETH (95); eve -> grace 5,000 USDT (96); alice pays 1,600
  payees: 300 over blocks 100-199, 1,050 in block 300 (more than a 1,000-record page), 250 over blocks
  301-425. The mixer was deployed by a deployer in n=-100 (a contract creation, value 0).
"""
import argparse
import json
import re
import sys
import threading
import urllib.parse

import fake_server_base

BASE_BLOCK = 18_000_000
BASE_TIME = 1_700_000_000
ETH = 10**18
USDT = "0xdac17f958d2ee523a2206206994597c13d831ec7"
HOSTILE_SYMBOL = "<img src=x onerror=alert(1)>\x1b[31m\x07\r"
HOSTILE_NAME = "<script>alert('name')</script>\x1b]0;pwned\x07\u202e" + "A" * 200
RESULT_WINDOW = 10_000
ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")

CHAINID_ERROR = ("Missing or unsupported chainid parameter (required for v2 api), please see "
                 "https://api.etherscan.io/v2/chainlist for the list of supported chainids")
V1_ERROR = ("You are using a deprecated V1 endpoint, switch to Etherscan API V2 using "
            "https://docs.etherscan.io/v2-migration")
HTML_PAGE = ("<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
             "<body><h1>Checking your browser</h1></body></html>")


def address(prefix, suffix=""):
    return "0x" + prefix + "0" * (40 - len(prefix) - len(suffix)) + suffix


WALLETS = {
    "seed": address("5eed"),
    "funder": address("f0de4"),
    "alice": address("a11ce", "a11ce"),
    "lookalike": address("a11c", "a11ce"),
    "mixer": address("313e4"),
    "deployer": address("de910e4"),
    "bob": address("b0b"),
    "carol": address("ca401"),
    "dave": address("da4e"),
    "eve": address("e4e"),
    "frank": address("f4a2c"),
    "grace": address("64ace"),
    "poisoner": address("9015"),
    "hostile_token": address("f4ce"),
}


class Scenario:
    def __init__(self):
        self.records = {"txlist": [], "txlistinternal": [], "tokentx": []}
        self.transfers = []
        self.failed = []
        self.next_hash = 1
        self.build()
        # address -> action -> [record], in (block, scenario order)
        self.index = {}
        for action, records in self.records.items():
            ordered = sorted(enumerate(records), key=lambda item: (int(item[1]["blockNumber"]), item[0]))
            for _, record in ordered:
                listed = {record["from"], record["to"]}
                if action == "txlist" and record["to"] == "":
                    listed.add(record["contractAddress"])
                for who in listed - {""}:
                    self.index.setdefault(who, {}).setdefault(action, []).append(record)

    def new_hash(self):
        value = "0x%064x" % (0x5CE7A810 * 2**32 + self.next_hash)
        self.next_hash += 1
        return value

    @staticmethod
    def when(n):
        return str(BASE_BLOCK + n), str(BASE_TIME + 12 * n)

    def transfer(self, kind, tx_hash, n, sender, receiver, amount, contract="", symbol=None, decimals=18):
        block, timestamp = self.when(n)
        self.transfers.append({"kind": kind, "tx_hash": tx_hash, "from": sender, "to": receiver,
                               "contract": contract, "symbol": symbol if contract else "ETH",
                               "decimals": decimals, "amount": str(amount), "block": int(block),
                               "timestamp": int(timestamp)})

    def txlist(self, n, sender, receiver, value, failed=False, created="", tx_hash=None):
        tx_hash = tx_hash or self.new_hash()
        block, timestamp = self.when(n)
        self.records["txlist"].append({
            "blockNumber": block, "timeStamp": timestamp, "hash": tx_hash, "nonce": str(n % 97),
            "blockHash": "0x%064x" % (BASE_BLOCK + n), "transactionIndex": "0", "from": sender, "to": receiver,
            "value": str(value), "gas": "90000", "gasPrice": "25000000000", "isError": "1" if failed else "0",
            "txreceipt_status": "0" if failed else "1", "input": "0x", "contractAddress": created,
            "cumulativeGasUsed": "21000", "gasUsed": "21000", "confirmations": "1000", "methodId": "0x",
            "functionName": ""})
        if failed:
            self.failed.append(tx_hash)
        elif value > 0:
            self.transfer("native", tx_hash, n, sender, receiver or created, value)
        return tx_hash

    def internal(self, tx_hash, n, sender, receiver, value, failed=False, trace=0):
        block, timestamp = self.when(n)
        self.records["txlistinternal"].append({
            "blockNumber": block, "timeStamp": timestamp, "hash": tx_hash, "from": sender, "to": receiver,
            "value": str(value), "contractAddress": "", "input": "", "type": "call", "gas": "2300",
            "gasUsed": "0", "traceId": "0_%d" % trace, "isError": "1" if failed else "0",
            "errCode": "Out of gas" if failed else ""})
        if not failed and value > 0:
            self.transfer("internal", tx_hash, n, sender, receiver, value)

    def token(self, tx_hash, n, contract, sender, receiver, value, symbol, name, decimals):
        block, timestamp = self.when(n)
        self.records["tokentx"].append({
            "blockNumber": block, "timeStamp": timestamp, "hash": tx_hash, "nonce": "1",
            "blockHash": "0x%064x" % (BASE_BLOCK + n), "from": sender, "contractAddress": contract, "to": receiver,
            "value": str(value), "tokenName": name, "tokenSymbol": symbol, "tokenDecimal": str(decimals),
            "transactionIndex": "1", "gas": "90000", "gasPrice": "25000000000", "gasUsed": "50000",
            "cumulativeGasUsed": "50000", "input": "deprecated", "methodId": "0xa9059cbb",
            "functionName": "transfer(address _to, uint256 _value)", "confirmations": "1000"})
        self.transfer("token", tx_hash, n, sender, receiver, value, contract, symbol, decimals)

    def build(self):
        w = WALLETS
        self.txlist(-100, w["deployer"], "", 0, created=w["mixer"])
        self.txlist(0, w["funder"], w["seed"], 10 * ETH)
        self.txlist(10, w["seed"], w["alice"], 15 * ETH // 10)
        mix = self.txlist(20, w["seed"], w["mixer"], 2 * ETH)
        self.internal(mix, 20, w["mixer"], w["dave"], 12 * ETH // 10, trace=0)
        self.internal(mix, 20, w["mixer"], w["eve"], 8 * ETH // 10, trace=1)
        usdt = self.txlist(30, w["seed"], USDT, 0)
        self.token(usdt, 30, USDT, w["seed"], w["bob"], 25_000 * 10**6, "USDT", "Tether USD", 6)
        fake = self.txlist(40, w["seed"], w["hostile_token"], 0)
        self.token(fake, 40, w["hostile_token"], w["seed"], w["carol"], 7 * ETH, HOSTILE_SYMBOL, HOSTILE_NAME, 18)
        self.txlist(50, w["seed"], w["alice"], 5 * ETH, failed=True)
        poison = self.txlist(60, w["poisoner"], USDT, 0)
        self.token(poison, 60, USDT, w["seed"], w["lookalike"], 0, "USDT", "Tether USD", 6)
        onward = self.txlist(70, w["bob"], USDT, 0)
        self.token(onward, 70, USDT, w["bob"], w["eve"], 20_000 * 10**6, "USDT", "Tether USD", 6)
        self.txlist(80, w["carol"], w["dave"], 3 * ETH // 10)
        call = self.txlist(90, w["dave"], w["mixer"], 0)
        self.internal(call, 90, w["mixer"], w["dave"], ETH // 2, failed=True)
        self.txlist(95, w["dave"], w["frank"], ETH)
        later = self.txlist(96, w["eve"], USDT, 0)
        self.token(later, 96, USDT, w["eve"], w["grace"], 5_000 * 10**6, "USDT", "Tether USD", 6)
        for i in range(1600):
            if i < 300:
                n = 100 + i // 3
            elif i < 1350:
                n = 300
            else:
                n = 301 + (i - 1350) // 2
            self.txlist(n, w["alice"], "0x%040x" % (0xBEEF00000000 + i), (i + 1) * 10**12)

    def document(self, chain_id):
        return {"chain_id": chain_id, "wallets": WALLETS, "transfers": self.transfers, "failed": self.failed}


class State:
    def __init__(self, args):
        self.args = args
        self.scenario = Scenario()
        self.lock = threading.Lock()
        self.total = 0
        self.actions = {}
        self.apikeys = set()
        self.rate_limited = 0
        self.faults = 0

    def count(self, action, apikey):
        """Counts a /v2/api request; returns the fault to inject ("rate", "html", "truncate") or None."""
        with self.lock:
            self.total += 1
            self.actions[action] = self.actions.get(action, 0) + 1
            if apikey is not None:
                self.apikeys.add(apikey)
            if self.total <= self.args.rate_limit_first:
                self.rate_limited += 1
                return "rate"
            if self.total == self.args.html_once:
                self.faults += 1
                return "html"
            if self.total == self.args.truncate_once:
                self.faults += 1
                return "truncate"
            return None

    def stats(self):
        with self.lock:
            return {"total": self.total, "actions": self.actions, "apikeys": sorted(self.apikeys),
                    "rate_limited": self.rate_limited, "faults": self.faults}


def notok(result):
    return {"status": "0", "message": "NOTOK", "result": result}


def answer(state, query):
    """The JSON document for one /v2/api query (before faults)."""
    args = state.args
    chain_id = query.get("chainid")
    if chain_id is None or chain_id != str(args.chain_id):
        return notok(CHAINID_ERROR)
    if args.require_key is not None:
        if not query.get("apikey"):
            return notok("Missing/Invalid API Key")
        if query["apikey"] != args.require_key:
            return notok("Invalid API Key (#err2)|v2")
    if query.get("module") != "account":
        return notok("Error! Missing Or invalid Module name")
    action = query.get("action")
    if action not in ("txlist", "txlistinternal", "tokentx"):
        return notok("Error! Missing Or invalid Action name")
    who = query.get("address", "")
    if not ADDRESS.match(who):
        return notok("Error! Invalid address format")
    try:
        start = int(query.get("startblock", "0"))
        end = int(query.get("endblock", "99999999"))
        page = int(query.get("page", "1"))
        offset = int(query.get("offset", "10000"))
    except ValueError:
        return notok("Error! Invalid parameter")
    if page < 1 or offset < 1 or page * offset > RESULT_WINDOW:
        return notok("Result window is too large, PageNo x Offset size must be less than or equal to 10000")
    if offset > args.max_offset:
        return notok("Max records per request is %d for this API plan (offset=%d)" % (args.max_offset, offset))
    records = state.scenario.index.get(who.lower(), {}).get(action, [])
    selected = [r for r in records if start <= int(r["blockNumber"]) <= end]
    if query.get("sort", "asc") == "desc":
        selected = selected[::-1]
    selected = selected[(page - 1) * offset: page * offset]
    if not selected:
        return {"status": "0", "message": "No transactions found", "result": []}
    return {"status": "1", "message": "OK", "result": selected}


class Handler(fake_server_base.Handler):
    server_version = "fake-etherscan/1"

    def do_GET(self):
        state = self.server.state
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        if url.path == "/__stats":
            return self.send_body(200, json.dumps(state.stats(), sort_keys=True))
        if url.path == "/__scenario":
            return self.send_body(200, json.dumps(state.scenario.document(state.args.chain_id)))
        if url.path == "/api":
            return self.send_body(200, json.dumps(notok(V1_ERROR)))
        if url.path != "/v2/api":
            return self.send_body(404, "Not Found", "text/plain")
        fault = state.count(query.get("action", ""), query.get("apikey"))
        if fault == "rate":
            return self.send_body(200, json.dumps(notok("Max rate limit reached")))
        if fault == "html":
            return self.send_body(200, HTML_PAGE, "text/html; charset=utf-8")
        body = json.dumps(answer(state, query))
        if fault == "truncate":
            body = fake_server_base.cut_in_half(body)
        self.send_body(200, body)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chain-id", type=int, default=1)
    parser.add_argument("--require-key", default=None)
    parser.add_argument("--max-offset", type=int, default=1000)
    parser.add_argument("--rate-limit-first", type=int, default=0)
    parser.add_argument("--html-once", type=int, default=0)
    parser.add_argument("--truncate-once", type=int, default=0)
    parser.add_argument("--dump-scenario", action="store_true", help="print /__scenario and exit")
    args = parser.parse_args()
    if args.dump_scenario:
        print(json.dumps(Scenario().document(args.chain_id), indent=1))
        return 0
    return fake_server_base.serve(Handler, state=State(args))


if __name__ == "__main__":
    sys.exit(main())
