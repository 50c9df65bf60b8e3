#!/usr/bin/env python3
"""An Esplora-shaped HTTP server over a scenario file, with fault injection, for ingest integration tests and
benchmarks (tests/cli/ingest_cli_test.cpp, tools/bench_ingest). Python 3 standard library only.

  fake_esplora_server.py SCENARIO.json [--latency-ms N] [--fault SPEC]... [--page-size 25]

Listens on 127.0.0.1 (ephemeral port), prints the port as the first line of stdout, serves until killed.
SCENARIO.json is {"transactions": [Esplora /tx objects], "faults": [...]?, "latency_ms": N?} (or just the list);
see make_esplora_scenario.py. Everything served is computed from the transactions:

  GET /address/:a                       {address, chain_stats, mempool_stats}: tx_count, funded/spent txo
                                        count and sum (an address without transactions gets zeros)
  GET /address/:a/txs                   up to 50 mempool transactions (newest first), then the newest 25
                                        confirmed
  GET /address/:a/txs/chain[/:last]     the next 25 confirmed after txid `last` (a short page is the last);
                                        400 when `last` is not in the address's confirmed history
  GET /address/:a/txs/mempool           up to 50 mempool transactions
  GET /tx/:txid                         the transaction; 404 "Transaction not found"
  GET /__stats                          {"total": n, "paths": {path: requests}, "first": t, "last": t}
                                        (faulty answers included, /__stats itself not counted; first/last:
                                        arrival of the first and last request, monotonic seconds);
                                        /__stats?times=1 adds "times": every arrival
  POST /__reset                         clears the counters (fault counters too)

Confirmed transactions are ordered by block height, newest first, ties in reverse file order (a later line of
the file is newer), as electrs orders by height and position; mempool ones newest (last in file) first.

Faults. SPEC is KIND:PATTERN:NTH, e.g. "429:/address/*/txs:1" or "html200:/address/*/txs/chain/*:1,3";
PATTERN is an fnmatch pattern over the path ('*' also matches '/'); NTH lists which requests matching
PATTERN (counted per fault, from 1) get the fault, or '*' for all of them. In the scenario file:
"faults": [{"kind": "500", "path": "/tx/*", "nth": [1, 2]}] (nth may be "*"). Kinds:
  429        status 429, Retry-After: 1 (or {"retry_after": S}), JSON body
  500        status 500, plain-text body
  stall      200 headers (Content-Length of the real body), then nothing for 30 s ({"seconds": S}), close
  truncate   200, Content-Length of the real body, half of it sent, then the connection is closed
  html200    200 with an HTML error page ("hostile OK"), Content-Type text/html
  404        status 404 "Not Found"
A faulty answer is counted in /__stats like any other. --latency-ms (or "latency_ms") delays every answer.
"""
import argparse
import fnmatch
import json
import re
import sys
import threading
import time

import fake_server_base

PAGE_SIZE = 25
MEMPOOL_MAX = 50
TXID = re.compile(r"^[0-9a-fA-F]{64}$")


class Scenario:
    def __init__(self, transactions):
        self.by_txid = {}
        self.body = {}  # txid -> compact JSON text of the transaction
        history = {}  # address -> [(order key, txid)]
        for position, tx in enumerate(transactions):
            txid = tx["txid"].lower()
            self.by_txid[txid] = tx
            self.body[txid] = json.dumps(tx, separators=(",", ":"))
            addresses = set()
            for vin in tx["vin"]:
                address = (vin.get("prevout") or {}).get("scriptpubkey_address")
                if address:
                    addresses.add(address)
            for vout in tx["vout"]:
                if vout.get("scriptpubkey_address"):
                    addresses.add(vout["scriptpubkey_address"])
            status = tx.get("status") or {}
            confirmed = bool(status.get("confirmed"))
            key = (status.get("block_height", 0) if confirmed else 0, position)
            for address in addresses:
                history.setdefault(address, {"chain": [], "mempool": []})
                history[address]["chain" if confirmed else "mempool"].append((key, txid))
        self.chain = {}
        self.mempool = {}
        for address, lists in history.items():
            self.chain[address] = [txid for _, txid in sorted(lists["chain"], reverse=True)]
            self.mempool[address] = [txid for _, txid in sorted(lists["mempool"], reverse=True)]
        self.stats = {address: self.address_stats(address) for address in history}

    def address_stats(self, address):
        def section(txids):
            stats = {"funded_txo_count": 0, "funded_txo_sum": 0, "spent_txo_count": 0, "spent_txo_sum": 0,
                     "tx_count": len(txids)}
            for txid in txids:
                tx = self.by_txid[txid]
                for vout in tx["vout"]:
                    if vout.get("scriptpubkey_address") == address:
                        stats["funded_txo_count"] += 1
                        stats["funded_txo_sum"] += vout["value"]
                for vin in tx["vin"]:
                    prevout = vin.get("prevout") or {}
                    if prevout.get("scriptpubkey_address") == address:
                        stats["spent_txo_count"] += 1
                        stats["spent_txo_sum"] += prevout["value"]
            return stats

        return {"address": address, "chain_stats": section(self.chain.get(address, [])),
                "mempool_stats": section(self.mempool.get(address, []))}

    def tx_list(self, txids):
        return "[" + ",".join(self.body[txid] for txid in txids) + "]"


class Fault:
    def __init__(self, kind, pattern, nth, retry_after=1, seconds=30):
        if kind not in ("429", "500", "stall", "truncate", "html200", "404"):
            raise ValueError("unknown fault kind %r" % kind)
        self.kind = kind
        self.pattern = pattern
        self.nth = nth  # set of ints, or None for every request
        self.retry_after = retry_after
        self.seconds = seconds
        self.seen = 0

    @staticmethod
    def parse(spec):
        kind, pattern, nth = spec.split(":", 2)
        return Fault(kind, pattern, None if nth == "*" else {int(n) for n in nth.split(",")})

    @staticmethod
    def from_json(item):
        nth = item.get("nth", "*")
        if nth != "*":
            nth = {int(n) for n in (nth if isinstance(nth, list) else [nth])}
        else:
            nth = None
        return Fault(str(item["kind"]), item["path"], nth, item.get("retry_after", 1), item.get("seconds", 30))


class State:
    def __init__(self, scenario, faults, latency):
        self.scenario = scenario
        self.faults = faults
        self.latency = latency
        self.lock = threading.Lock()
        self.counts = {}
        self.total = 0
        self.first = None  # time.monotonic() of the first and the last request counted
        self.last = None
        self.times = []  # arrival of every request counted

    def record(self, path):
        """Counts the request and returns the fault to inject, if any."""
        with self.lock:
            self.counts[path] = self.counts.get(path, 0) + 1
            self.total += 1
            self.last = time.monotonic()
            self.times.append(self.last)
            if self.first is None:
                self.first = self.last
            chosen = None
            for fault in self.faults:
                if fnmatch.fnmatchcase(path, fault.pattern):
                    fault.seen += 1
                    if chosen is None and (fault.nth is None or fault.seen in fault.nth):
                        chosen = fault
            return chosen

    def reset(self):
        with self.lock:
            self.counts = {}
            self.total = 0
            self.first = self.last = None
            self.times = []
            for fault in self.faults:
                fault.seen = 0


HTML_PAGE = ("<!DOCTYPE html><html><head><title>Service temporarily unavailable</title></head>"
             "<body><h1>We'll be right back</h1><p>Our API is under maintenance.</p></body></html>")


class Handler(fake_server_base.Handler):
    server_version = "fake-esplora/1"
    tcp_nodelay = True

    def do_POST(self):
        self.post_reset(self.server.state.reset)

    def do_GET(self):
        state = self.server.state
        path = self.path.split("?", 1)[0]
        if path == "/__stats":
            with state.lock:
                stats = {"total": state.total, "paths": state.counts, "first": state.first, "last": state.last}
                if "times=1" in self.path:
                    stats["times"] = state.times
                self.send_body(200, json.dumps(stats, sort_keys=True))
            return
        fault = state.record(path)
        if state.latency > 0:
            time.sleep(state.latency)
        status, body, content_type = self.route(path)
        if fault is None:
            self.send_body(status, body, content_type)
        else:
            self.inject(fault, body)

    def inject(self, fault, body):
        data = body.encode() if isinstance(body, str) else body
        if fault.kind == "429":
            self.send_body(429, '{"error":"Too Many Requests"}', headers=[("Retry-After", str(fault.retry_after))])
        elif fault.kind == "500":
            self.send_body(500, "Internal Server Error", "text/plain")
        elif fault.kind == "404":
            self.send_body(404, "Not Found", "text/plain")
        elif fault.kind == "html200":
            self.send_body(200, HTML_PAGE, "text/html; charset=utf-8")
        elif fault.kind == "stall":
            self.stall(200, len(data), fault.seconds, "application/json")
        elif fault.kind == "truncate":
            self.send_truncated(200, len(data), fake_server_base.cut_in_half(data), "application/json")

    def route(self, path):
        scenario = self.server.state.scenario
        page = self.server.page_size
        parts = [p for p in path.split("/") if p]
        if len(parts) == 2 and parts[0] == "tx":
            txid = parts[1].lower()
            if txid in scenario.body:
                return 200, scenario.body[txid], "application/json"
            if TXID.match(txid):
                return 404, "Transaction not found", "text/plain"
            return 400, "Invalid hex string", "text/plain"
        if len(parts) >= 2 and parts[0] == "address":
            address = parts[1]
            rest = parts[2:]
            chain = scenario.chain.get(address, [])
            mempool = scenario.mempool.get(address, [])
            if not rest:
                stats = scenario.stats.get(address) or scenario.address_stats(address)
                return 200, json.dumps(stats), "application/json"
            if rest == ["txs"]:
                return 200, scenario.tx_list(mempool[:MEMPOOL_MAX] + chain[:page]), "application/json"
            if rest == ["txs", "mempool"]:
                return 200, scenario.tx_list(mempool[:MEMPOOL_MAX]), "application/json"
            if rest == ["txs", "chain"]:
                return 200, scenario.tx_list(chain[:page]), "application/json"
            if len(rest) == 3 and rest[:2] == ["txs", "chain"]:
                last = rest[2].lower()
                if last not in chain:
                    return 400, "last_seen_txid not in this address's confirmed history", "text/plain"
                start = chain.index(last) + 1
                return 200, scenario.tx_list(chain[start:start + page]), "application/json"
        return 404, "Not Found", "text/plain"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario")
    parser.add_argument("--latency-ms", type=float, default=None)
    parser.add_argument("--fault", action="append", default=[], help="KIND:PATTERN:NTH (repeatable)")
    parser.add_argument("--page-size", type=int, default=PAGE_SIZE)
    args = parser.parse_args()
    with open(args.scenario) as f:
        document = json.load(f)
    if isinstance(document, list):
        document = {"transactions": document}
    faults = [Fault.from_json(item) for item in document.get("faults", [])]
    faults += [Fault.parse(spec) for spec in args.fault]
    latency_ms = args.latency_ms if args.latency_ms is not None else document.get("latency_ms", 0)
    state = State(Scenario(document["transactions"]), faults, latency_ms / 1000.0)
    return fake_server_base.serve(Handler, state=state, page_size=args.page_size)


if __name__ == "__main__":
    sys.exit(main())
