#!/usr/bin/env python3
"""Builds the EVM ingestion scenario on a running anvil node and prints what happened as JSON on stdout.

Usage: anvil_scenario.py RPC_URL

Every value movement is written down here from the actions taken (amounts chosen by this script), not read
back from the chain, so the test compares fundtrail's crawl against an independent account. Wallets are fresh
addresses (no keys: anvil_impersonateAccount) funded with anvil_setBalance, which makes no transaction.

  D  deployer: deploys SUSD (6 decimals; 1,000,000 minted to D: a Transfer from the zero address), the
     forwarder, and a token whose symbol and name are hostile text (markup, terminal escapes, 10 kB)
  F -> S   10 ETH                         S is the seed
  D -> S   500,000 SUSD
  S -> A   3.5 ETH;  S -> B 1.25 ETH + 1 wei
  S -> A   250,123.456789 SUSD;  A -> C 100 SUSD;  A -> C 1 ETH
  S -> SUSD.transfer(10,000,000 SUSD)     fails (balance): receipt status 0, no value moves
  S -> forwarder.split(C, E) 2 ETH + 3 wei: internal forwarder -> C 1 ETH + 1 wei, forwarder -> E 1 ETH + 2 wei
  S -> forwarder.tryRefuse(X) 0.5 ETH:    the inner call to X reverts (caught): only the refund
                                          forwarder -> S 0.5 ETH moves (internal)
  D -> B   1.5 hostile tokens
  X -> S   0 SUSD                          address poisoning: stored, never followed
  C -> E   0.25 ETH                        two hops from S's counterparties: outside a --hops 2 crawl
Blocks get timestamps 1,700,000,000 + 60 s x n, so the order of events is the order above.
"""
import hashlib
import json
import sys
import time
import urllib.request

URL = sys.argv[1]
HERE = __file__.rsplit("/", 1)[0]
CONTRACTS = json.load(open(HERE + "/../data/evm/scenario_contracts.json"))["contracts"]
ETH = 10**18
NEXT_ID = [1]
CLOCK = [1_700_000_000]


def rpc(method, *params):
    NEXT_ID[0] += 1
    body = json.dumps({"jsonrpc": "2.0", "id": NEXT_ID[0], "method": method, "params": list(params)}).encode()
    request = urllib.request.Request(URL, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.loads(response.read())
    if "error" in answer:
        raise RuntimeError(f"{method}: {answer['error']}")
    return answer["result"]


def wallet(name):
    return "0x" + hashlib.sha256(("fundtrail scenario " + name).encode()).hexdigest()[:40]


def word(value):
    return format(value, "064x")


def address_word(address):
    return "0" * 24 + address[2:].lower()


def encode_string(text):
    data = text.encode()
    return word(len(data)) + data.hex() + "0" * ((64 - (len(data) * 2) % 64) % 64)


def send(sender, to=None, value=0, data="0x", gas=None):
    CLOCK[0] += 60
    rpc("evm_setNextBlockTimestamp", CLOCK[0])
    tx = {"from": sender, "value": hex(value), "data": data}
    if to is not None:
        tx["to"] = to
    if gas is not None:
        tx["gas"] = hex(gas)
    tx_hash = rpc("eth_sendTransaction", tx)
    # anvil mines at once, but a large transaction's receipt can appear a moment after the hash is returned.
    for _ in range(400):
        receipt = rpc("eth_getTransactionReceipt", tx_hash)
        if receipt is not None:
            return tx_hash, receipt
        time.sleep(0.025)
    raise RuntimeError("no receipt for " + tx_hash)


def deploy(sender, contract, args_hex=""):
    tx_hash, receipt = send(sender, data=CONTRACTS[contract]["bytecode"] + args_hex, gas=15_000_000)
    assert receipt["status"] == "0x1", receipt
    return receipt["contractAddress"].lower(), tx_hash


def call_data(contract, signature, *words):
    return "0x" + CONTRACTS[contract]["methods"][signature] + "".join(words)


def main():
    names = ["D", "F", "S", "A", "B", "C", "E", "X"]
    w = {name: wallet(name) for name in names}
    for name in names:
        rpc("anvil_setBalance", w[name], hex(100 * ETH))
        rpc("anvil_impersonateAccount", w[name])
    transfers = []
    failed = []

    def record(tx, kind, sender, receiver, amount, asset=""):
        transfers.append({"tx": tx, "kind": kind, "from": sender, "to": receiver, "amount": str(amount), "asset": asset})

    zero = "0x" + "0" * 40
    supply = 1_000_000 * 10**6
    # constructor(string name, string symbol, uint8, uint256): four head words, then the two strings' tails
    name_tail = encode_string("Scenario USD")
    symbol_tail = encode_string("SUSD")
    args = word(128) + word(128 + len(name_tail) // 2) + word(6) + word(supply) + name_tail + symbol_tail
    susd, tx = deploy(w["D"], "ScenarioToken", args)
    record(tx, "token", zero, w["D"], supply, susd)
    forwarder, _ = deploy(w["D"], "ScenarioForwarder")
    hostile_symbol = "<img src=x onerror=alert(1)>\x1b[31mUSDT\x07"
    hostile_name = "<script>alert('name')</script>" + "\u202e" + "A" * 10_000
    name_tail = encode_string(hostile_name)
    symbol_tail = encode_string(hostile_symbol)
    hostile_supply = 5 * 10**18
    args = word(128) + word(128 + len(name_tail) // 2) + word(18) + word(hostile_supply) + name_tail + symbol_tail
    hostile, tx = deploy(w["D"], "ScenarioToken", args)
    record(tx, "token", zero, w["D"], hostile_supply, hostile)

    def eth(sender, receiver, amount):
        tx, receipt = send(w[sender], w[receiver], amount)
        assert receipt["status"] == "0x1"
        record(tx, "native", w[sender], w[receiver], amount)

    def token(sender, receiver, amount, contract=None):
        contract = contract or susd
        data = call_data("ScenarioToken", "transfer(address,uint256)", address_word(w[receiver]), word(amount))
        tx, receipt = send(w[sender], contract, 0, data, gas=200_000)
        assert receipt["status"] == "0x1", receipt
        record(tx, "token", w[sender], w[receiver], amount, contract)

    eth("F", "S", 10 * ETH)
    token("D", "S", 500_000 * 10**6)
    eth("S", "A", 3 * ETH + ETH // 2)
    eth("S", "B", ETH + ETH // 4 + 1)
    token("S", "A", 250_123_456_789)
    token("A", "C", 100 * 10**6)
    eth("A", "C", ETH)

    data = call_data("ScenarioToken", "transfer(address,uint256)", address_word(w["A"]), word(10_000_000 * 10**6))
    tx, receipt = send(w["S"], susd, 0, data, gas=200_000)
    assert receipt["status"] == "0x0", receipt
    failed.append(tx)

    value = 2 * ETH + 3
    data = call_data("ScenarioForwarder", "split(address,address)", address_word(w["C"]), address_word(w["E"]))
    tx, receipt = send(w["S"], forwarder, value, data, gas=300_000)
    assert receipt["status"] == "0x1", receipt
    record(tx, "native", w["S"], forwarder, value)
    record(tx, "internal", forwarder, w["C"], value // 2)
    record(tx, "internal", forwarder, w["E"], value - value // 2)

    value = ETH // 2
    data = call_data("ScenarioForwarder", "tryRefuse(address)", address_word(w["X"]))
    tx, receipt = send(w["S"], forwarder, value, data, gas=300_000)
    assert receipt["status"] == "0x1", receipt
    record(tx, "native", w["S"], forwarder, value)
    record(tx, "internal", forwarder, w["S"], value)
    reverted_inside = tx

    token("D", "B", 3 * 10**18 // 2, hostile)
    token("X", "S", 0)
    eth("C", "E", ETH // 4)

    print(json.dumps({
        "wallets": w,
        "contracts": {"susd": susd, "forwarder": forwarder, "hostile": hostile},
        "hostile": {"symbol": hostile_symbol, "name": hostile_name},
        "seed": w["S"],
        "transfers": transfers,
        "failed": failed,
        "reverted_inside": reverted_inside,
        "head": int(rpc("eth_blockNumber"), 16),
    }))


if __name__ == "__main__":
    main()
