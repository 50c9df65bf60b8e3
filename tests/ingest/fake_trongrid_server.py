#!/usr/bin/env python3
"""A TronGrid-v1-shaped HTTP server over a small synthetic TRON scenario, with fault injection, for the
`fundtrail ingest --chain tron --provider trongrid` integration tests (tests/cli/trongrid_cli_test.cpp).
Python 3 standard library only. Nothing here is real chain data: addresses are valid Base58Check TRON
addresses derived from names, txIDs are the real SHA-256 of a made-up raw_data_hex.

  fake_trongrid_server.py [--page-cap 3] [--require-key KEY] [--fail-first N] [--fail-status 429|403|mixed]
                          [--html-once PATH] [--truncate-once PATH] [--latency-ms N]

Listens on 127.0.0.1 (ephemeral port), prints the port as the first line of stdout, serves until killed.

  GET /v1/accounts/:a/transactions        TRON transaction records (TransferContract, TriggerSmartContract) of
                                          the wallet, plus its internal transactions as their own records when
                                          search_internal is not "false"
  GET /v1/accounts/:a/transactions/trc20  TRC-20 Transfer records of the wallet (USDT, 6 decimals)
      Parameters: limit (1..200, else 400 with an empty body; the server caps pages at --page-cap so paging
      always happens), fingerprint, only_confirmed, min_timestamp, max_timestamp (ms, inclusive),
      order_by=block_timestamp,asc|desc. A fingerprint is valid only with the very same other parameters
      (400 otherwise). A full page ending exactly at the end of the list still carries a fingerprint; the page
      it leads to is empty with a NEW fingerprint, and that one leads to an empty page repeating it (what real
      TronGrid pages look like at the end, and a loop trap for a client that follows any fingerprint).
  GET /__scenario   {"wallets": {name: address}, "usdt": contract, "transfers": [...], "histories": {address:
                    [transfer id]}, "failed": [txid], "unconfirmed": [txid]}: what the server serves, so a
                    test can compute what a crawl must store. histories lists, per wallet, the confirmed
                    transfers its two endpoints return (all time, no window).
  GET /__stats      {"total", "paths": {path: n}, "keyed", "unkeyed", "faults", "only_confirmed", "bad_requests",
                    "windows": [[min_timestamp, max_timestamp] as asked, null where absent]} (API requests
                    only; faulty answers included)
  POST /__reset     clears the counters and re-arms the faults

Faults: --require-key KEY answers 403 to any API request whose TRON-PRO-API-KEY header is not KEY.
--fail-first N answers the first N API requests with 429 (--fail-status 429), 403 with TronGrid's suspension
message (403) or alternately both (mixed, the default). --html-once PATH / --truncate-once PATH (an exact path,
e.g. /v1/accounts/T.../transactions/trc20) answer the first request to PATH with a 200 HTML error page / a
200 whose JSON body is cut in half (Content-Length matching what is sent, so only a JSON parser notices).
"""
import argparse
import hashlib
import json
import sys
import threading
import time
import urllib.parse

import fake_server_base

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"  # the real USDT contract; its hex form is below
USDT_HEX = "41a614f803b6fd780986a42c78ec9c7f77e6ded13c"
T0_MS = 1709251200000  # 2024-03-01T00:00:00Z
BLOCK0 = 60000000
SUSPENDED = "The key exceeds the frequency limit(15), and the query server is suspended for 30s"


def base58check(payload):
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number = int.from_bytes(data, "big")
    text = ""
    while number:
        number, digit = divmod(number, 58)
        text = B58[digit] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def base58_decode_check(text):
    number = 0
    for char in text:
        if char not in B58:
            return None
        number = number * 58 + B58.index(char)
    data = number.to_bytes(25, "big") if number < (1 << 200) else None
    if data is None or hashlib.sha256(hashlib.sha256(data[:21]).digest()).digest()[:4] != data[21:]:
        return None
    return data[:21] if data[0] == 0x41 else None


class Wallet:
    def __init__(self, name):
        self.name = name
        body = hashlib.sha256(("fundtrail-trongrid-scenario:" + name).encode()).digest()[:20]
        self.hex = "41" + body.hex()
        self.address = base58check(b"\x41" + body)


def display(amount, decimals=6):
    whole, fraction = divmod(amount, 10 ** decimals)
    text = str(whole)
    fraction_text = str(fraction).rjust(decimals, "0").rstrip("0")
    return text + ("." + fraction_text if fraction_text else "")


class Scenario:
    """Deterministic: the same transactions, txIDs and fingerprints on every run."""

    def __init__(self):
        names = ["V1", "V2", "S", "P", "A", "B", "C", "D", "K", "HUB", "X"] + ["U%02d" % i for i in range(1, 25)]
        self.w = {name: Wallet(name) for name in names}
        self.by_address = {wallet.address: wallet for wallet in self.w.values()}
        self.by_address[USDT] = None
        self.transfers = []  # dicts as in /__scenario
        self.tx_entries = []  # (sort key, record, related addresses, transfer ids, confirmed)
        self.trc20_entries = []
        self.failed = []
        self.unconfirmed = []
        self.step = 0
        self.build()
        self.histories = {}
        for entries in (self.tx_entries, self.trc20_entries):
            for _, _, related, ids, confirmed in entries:
                if not confirmed:
                    continue
                for address in related:
                    self.histories.setdefault(address, [])
                    self.histories[address].extend(i for i in ids if i not in self.histories[address])

    # --- building blocks -------------------------------------------------------------------------------

    def next_time(self):
        self.step += 1
        return T0_MS + self.step * 60000, BLOCK0 + self.step * 20

    def add_transfer(self, txid, kind, sender, recipient, amount, ts_ms, block, confirmed, token=False):
        transfer = {"id": len(self.transfers), "tx": txid, "kind": kind, "from": sender, "to": recipient,
                    "asset": "USDT" if token else "TRX", "contract": USDT if token else "",
                    "amount": str(amount), "display": display(amount), "timestamp": ts_ms // 1000,
                    "block": None if token else block, "confirmed": confirmed}
        self.transfers.append(transfer)
        return transfer["id"]

    def tx_record(self, contract_type, value, ts_ms, block, contract_ret="SUCCESS", fee=0):
        raw_data = {"contract": [{"parameter": {"value": value,
                                                "type_url": "type.googleapis.com/protocol." + contract_type},
                                  "type": contract_type}],
                    "ref_block_bytes": "%04x" % (block % 65536), "ref_block_hash": hashlib.sha256(
                        str(block).encode()).hexdigest()[:16],
                    "expiration": ts_ms + 60000, "timestamp": ts_ms - 2000}
        if contract_type == "TriggerSmartContract":
            raw_data["fee_limit"] = 100000000
        # Not protobuf: a made-up serialization whose SHA-256 is the txID, which is all a client can check.
        raw_bytes = b"fundtrail-fake-raw-data|" + json.dumps(raw_data, sort_keys=True).encode()
        txid = hashlib.sha256(raw_bytes).hexdigest()
        record = {"ret": [{"contractRet": contract_ret, "fee": fee}],
                  "signature": [hashlib.sha512(raw_bytes).hexdigest() + "00"],
                  "txID": txid, "net_usage": 0 if fee else 268, "raw_data_hex": raw_bytes.hex(),
                  "net_fee": 0, "energy_usage": 0, "blockNumber": block, "block_timestamp": ts_ms,
                  "energy_fee": fee, "energy_usage_total": fee // 420, "raw_data": raw_data,
                  "internal_transactions": []}
        return txid, record

    def trx(self, sender, recipient, sun, confirmed=True):
        ts, block = self.next_time()
        txid, record = self.tx_record("TransferContract", {"amount": sun, "owner_address": self.w[sender].hex,
                                                           "to_address": self.w[recipient].hex}, ts, block,
                                      fee=0 if sun % 2 else 1100000)
        tid = self.add_transfer(txid, "native", self.w[sender].address, self.w[recipient].address, sun, ts, block,
                                confirmed)
        self.tx_entries.append(((ts, len(self.tx_entries)), record,
                                {self.w[sender].address, self.w[recipient].address}, [tid], confirmed))
        if not confirmed:
            self.unconfirmed.append(txid)
        return txid

    def usdt(self, sender, recipient, units, confirmed=True, failed=False):
        ts, block = self.next_time()
        data = "a9059cbb" + self.w[recipient].hex[2:].rjust(64, "0") + ("%x" % units).rjust(64, "0")
        txid, record = self.tx_record("TriggerSmartContract",
                                      {"data": data, "owner_address": self.w[sender].hex,
                                       "contract_address": USDT_HEX, "call_value": 0}, ts, block,
                                      contract_ret="OUT_OF_ENERGY" if failed else "SUCCESS", fee=27255900 if failed
                                      else 13844850)
        self.tx_entries.append(((ts, len(self.tx_entries)), record, {self.w[sender].address, USDT}, [], confirmed))
        if failed:
            self.failed.append(txid)
            return txid  # a reverted transfer emits no Transfer event
        tid = self.add_transfer(txid, "token", self.w[sender].address, self.w[recipient].address, units, ts, block,
                                confirmed, token=True)
        event = {"transaction_id": txid,
                 "token_info": {"symbol": "USDT", "address": USDT, "decimals": 6, "name": "Tether USD"},
                 "block_timestamp": ts, "from": self.w[sender].address, "to": self.w[recipient].address,
                 "type": "Transfer", "value": str(units)}
        if not confirmed:
            event["_unconfirmed"] = True
            self.unconfirmed.append(txid)
        self.trc20_entries.append(((ts, len(self.trc20_entries)), event,
                                   {self.w[sender].address, self.w[recipient].address}, [tid], confirmed))
        return txid

    def call_with_internal(self, sender, contract, sun, internal_to, internal_sun):
        ts, block = self.next_time()
        txid, record = self.tx_record("TriggerSmartContract",
                                      {"data": "d0e30db0", "owner_address": self.w[sender].hex,
                                       "contract_address": self.w[contract].hex, "call_value": sun}, ts, block,
                                      fee=8031000)
        native = self.add_transfer(txid, "native", self.w[sender].address, self.w[contract].address, sun, ts, block,
                                   True)
        self.tx_entries.append(((ts, len(self.tx_entries)), record,
                                {self.w[sender].address, self.w[contract].address}, [native], True))
        internal = self.add_transfer(txid, "internal", self.w[contract].address, self.w[internal_to].address,
                                     internal_sun, ts, block, True)
        # TronGrid lists internal transactions as records of their own (search_internal=true).
        internal_record = {"internal_tx_id": hashlib.sha256(("internal:" + txid).encode()).hexdigest(),
                           "data": {"note": "63616c6c", "rejected": False, "call_value": {"_": internal_sun}},
                           "block_timestamp": ts, "to_address": self.w[internal_to].hex, "tx_id": txid,
                           "from_address": self.w[contract].hex}
        self.tx_entries.append(((ts, len(self.tx_entries)), internal_record,
                                {self.w[contract].address, self.w[internal_to].address}, [internal], True))
        return txid

    def hub_traffic(self, users):
        for user in users:
            number = int(user[1:])
            if number <= 18:  # deposits into the exchange, TRX and USDT alternately
                if number % 2:
                    self.trx(user, "HUB", 150000000 + number * 1000001)
                else:
                    self.usdt(user, "HUB", 320000000 + number * 2500000)
            elif number % 2:  # withdrawals
                self.trx("HUB", user, 90000000 + number * 3)
            else:
                self.usdt("HUB", user, 1000000000 + number * 7)

    def build(self):
        """The story (hops counted from the seed S): victims V1, V2 pay the scam wallet S; a poisoner P sends
        it 0 USDT; S fails one transfer, then pays mules A (TRX, USDT) and B (USDT), cashes out at the
        exchange hot wallet HUB (a hub with dozens of customers U01..U24), and pays 2,000 TRX into contract K,
        which forwards 1,500 TRX to C internally. A and B pass money on to C and HUB; C pays D (hop 3)."""
        self.hub_traffic(["U%02d" % i for i in range(1, 13)])
        self.usdt("V1", "S", 25000000000)
        self.trx("V2", "S", 40000000000)
        self.usdt("P", "S", 0)  # address poisoning: a zero-value transfer is evidence too
        self.usdt("S", "X", 5000000000, failed=True)
        self.trx("S", "A", 15000000000)
        self.usdt("S", "B", 20000000000)
        self.usdt("S", "A", 4999500000)
        self.usdt("S", "HUB", 3000000000)
        self.call_with_internal("S", "K", 2000000000, "C", 1500000000)
        self.usdt("A", "C", 4000000000)
        self.usdt("B", "HUB", 19990000000)
        self.trx("C", "D", 900000000)
        self.hub_traffic(["U%02d" % i for i in range(13, 25)])
        self.trx("S", "A", 777000000, confirmed=False)  # still unconfirmed: only_confirmed=true leaves it out
        self.usdt("S", "B", 1000000, confirmed=False)

    def document(self):
        return {"wallets": {name: wallet.address for name, wallet in self.w.items()}, "usdt": USDT,
                "transfers": self.transfers, "histories": self.histories, "failed": self.failed,
                "unconfirmed": self.unconfirmed}


class State:
    def __init__(self, args):
        self.args = args
        self.scenario = Scenario()
        self.scenario_json = json.dumps(self.scenario.document(), sort_keys=True)
        self.lock = threading.Lock()
        self.fingerprints = {}  # token -> (query key, offset or "tail")
        self.reset()

    def reset(self):
        self.total = 0
        self.paths = {}
        self.keyed = 0
        self.unkeyed = 0
        self.faults = 0
        self.only_confirmed = 0
        self.bad_requests = 0
        self.windows = set()  # distinct (min_timestamp, max_timestamp) asked, None where absent
        self.failures_left = self.args.fail_first
        self.html_pending = self.args.html_once is not None
        self.truncate_pending = self.args.truncate_once is not None

    def fingerprint(self, key, position):
        token = base58check(b"\x00" + hashlib.sha256(json.dumps([key, position]).encode()).digest())
        self.fingerprints[token] = (key, position)
        return token


HTML_PAGE = ("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad "
             "Gateway</h1></center><hr><center>nginx</center></body></html>")


class Handler(fake_server_base.Handler):
    server_version = "fake-trongrid/1"
    tcp_nodelay = True
    json_type = "application/json; charset=utf-8"

    def do_POST(self):
        state = self.server.state

        def reset():
            with state.lock:
                state.reset()

        self.post_reset(reset)

    def do_GET(self):
        state = self.server.state
        parsed = urllib.parse.urlsplit(self.path)
        path = parsed.path
        if path == "/__scenario":
            self.send_body(200, state.scenario_json)
            return
        if path == "/__stats":
            with state.lock:
                stats = {"total": state.total, "paths": state.paths, "keyed": state.keyed, "unkeyed": state.unkeyed,
                         "faults": state.faults, "only_confirmed": state.only_confirmed,
                         "bad_requests": state.bad_requests,
                         "windows": sorted([list(w) for w in state.windows], key=json.dumps)}
            self.send_body(200, json.dumps(stats, sort_keys=True))
            return
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        params = {name: values[-1] for name, values in query.items()}
        key = self.headers.get("TRON-PRO-API-KEY")
        with state.lock:
            state.total += 1
            state.paths[path] = state.paths.get(path, 0) + 1
            if state.args.require_key is not None and key == state.args.require_key:
                state.keyed += 1
            elif key is None:
                state.unkeyed += 1
            if params.get("only_confirmed") == "true":
                state.only_confirmed += 1
            state.windows.add((params.get("min_timestamp"), params.get("max_timestamp")))
            fault = self.pick_fault(state, path, key)
            if fault is not None:
                state.faults += 1
        if self.server.latency > 0:
            time.sleep(self.server.latency)
        if fault == "429":
            self.send_body(429, json.dumps({"Error": SUSPENDED}))
        elif fault == "403":
            self.send_body(403, json.dumps({"Error": SUSPENDED}))
        elif fault == "key":
            self.send_body(403, json.dumps({"Error": "ApiKey not exists"}))
        elif fault == "html":
            self.send_body(200, HTML_PAGE, "text/html")
        else:
            status, body = self.route(path, params)
            if status == 400:
                with state.lock:
                    state.bad_requests += 1
            if fault == "truncate":
                body = fake_server_base.cut_in_half(body)
            self.send_body(status, body)

    def pick_fault(self, state, path, key):
        if state.args.require_key is not None and key != state.args.require_key:
            return "key"
        if state.failures_left > 0:
            state.failures_left -= 1
            number = state.args.fail_first - state.failures_left
            if state.args.fail_status == "mixed":
                return "429" if number % 2 else "403"
            return state.args.fail_status
        if state.html_pending and path == state.args.html_once:
            state.html_pending = False
            return "html"
        if state.truncate_pending and path == state.args.truncate_once:
            state.truncate_pending = False
            return "truncate"
        return None

    def route(self, path, params):
        parts = [p for p in path.split("/") if p]
        if len(parts) < 4 or parts[:2] != ["v1", "accounts"] or parts[3] != "transactions" or len(parts) > 5 or (
                len(parts) == 5 and parts[4] != "trc20"):
            return 404, json.dumps({"success": False, "error": "Not Found", "statusCode": 404})
        address = parts[2]
        if base58_decode_check(address) is None:
            return 400, json.dumps({"success": False, "error": "Invalid address: " + address, "statusCode": 400})
        try:
            limit = int(params.get("limit", "20"))
            minimum = int(params["min_timestamp"]) if "min_timestamp" in params else None
            maximum = int(params["max_timestamp"]) if "max_timestamp" in params else None
        except ValueError:
            return 400, json.dumps({"success": False, "error": "bad number", "statusCode": 400})
        if limit < 1 or limit > 200:
            return 400, ""  # what TronGrid answers to limit > 200
        order = params.get("order_by", "block_timestamp,desc")
        if order not in ("block_timestamp,asc", "block_timestamp,desc"):
            return 400, json.dumps({"success": False, "error": "bad order_by", "statusCode": 400})
        state = self.server.state
        trc20 = len(parts) == 5
        confirmed_only = params.get("only_confirmed") == "true"
        internal = params.get("search_internal", "true") != "false"
        entries = state.scenario.trc20_entries if trc20 else state.scenario.tx_entries
        chosen = []
        for sort_key, record, related, _, confirmed in entries:
            if address not in related or (confirmed_only and not confirmed):
                continue
            if not internal and "internal_tx_id" in record:
                continue
            if (minimum is not None and sort_key[0] < minimum) or (maximum is not None and sort_key[0] > maximum):
                continue
            chosen.append((sort_key, record))
        chosen.sort(key=lambda item: item[0], reverse=order.endswith("desc"))
        query_key = json.dumps([path, sorted((k, v) for k, v in params.items() if k != "fingerprint")])
        position = 0
        if "fingerprint" in params:
            with state.lock:
                known = state.fingerprints.get(params["fingerprint"])
            if known is None or known[0] != query_key:
                return 400, json.dumps({"success": False, "error": "invalid fingerprint (parameters changed?)",
                                        "statusCode": 400})
            position = known[1]
        size = min(limit, self.server.page_cap)
        meta = {"at": int(time.time() * 1000), "page_size": 0}
        if position == "tail":  # an empty page repeating the fingerprint it was asked with: the end
            meta["fingerprint"] = params["fingerprint"]
            data = []
        elif position == 0 and not chosen:  # nothing at all: the first page is also the last
            data = []
        elif position >= len(chosen):  # behind a full last page: empty, but with a new fingerprint
            with state.lock:
                meta["fingerprint"] = state.fingerprint(query_key, "tail")
            data = []
        else:
            data = [record for _, record in chosen[position:position + size]]
            if len(data) == size:
                with state.lock:
                    meta["fingerprint"] = state.fingerprint(query_key, position + size)
        meta["page_size"] = len(data)
        if "fingerprint" in meta:
            meta["links"] = {"next": "http://127.0.0.1:%d%s?%s" % (
                self.server.server_address[1], path,
                urllib.parse.urlencode({**{k: v for k, v in params.items() if k != "fingerprint"},
                                        "fingerprint": meta["fingerprint"]}))}
        return 200, json.dumps({"success": True, "meta": meta, "data": data})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--page-cap", type=int, default=3)
    parser.add_argument("--require-key", default=None)
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--fail-status", choices=["429", "403", "mixed"], default="mixed")
    parser.add_argument("--html-once", default=None)
    parser.add_argument("--truncate-once", default=None)
    parser.add_argument("--latency-ms", type=float, default=0)
    args = parser.parse_args()
    return fake_server_base.serve(Handler, state=State(args), page_cap=args.page_cap, latency=args.latency_ms / 1000.0)


if __name__ == "__main__":
    sys.exit(main())
