#!/usr/bin/env python3
"""A Bitcoin Core JSON-RPC-shaped server for fundtrail's bitcoind tests. Listens on 127.0.0.1 (ephemeral
port); prints the port as the first line of stdout and a JSON description of its scenario as the second,
then serves until killed.

    fake_bitcoind_server.py USER PASSWORD [--data DIR] [--log FILE] [--busy N] [--busy-status 503]
                            [--busy-method getblock] [--reverse-batches]

Like bitcoind (httprpc.cpp): POST only; HTTP Basic auth checked against USER:PASSWORD (else 401, empty body,
WWW-Authenticate); a JSON-RPC 1.0 error is answered with HTTP 500 (404 for an unknown method), a 2.0 one with
200; a batch (JSON array) with 200 and one answer per call. --busy N answers the first N requests (only those
calling --busy-method, when given) with --busy-status and the text "Work queue depth exceeded" (what Core
sends when -rpcworkqueue is full, with 503), to exercise retries. --reverse-batches answers batches in reverse
order (JSON-RPC does not promise the order). --log appends one JSON line per HTTP request: auth result,
status and the calls (method, params, id, jsonrpc).

Methods: getblockhash h, getblockheader hash [verbose], getblock hash [verbosity 1|2|3],
getrawtransaction txid [verbosity 1|2 or bool], getblockcount.

The scenario (testnet3) is built around REAL transactions: ../shared/data/bitcoin-core-rpc-json/
rawTxVerbose-*.json (getrawtransaction verbosity 1 from a testnet node: txid, hex, vin with scriptSig,
vout with exact BTC decimals, blockhash, blocktime; no prevouts, no fee, no height). What Core would add is
synthesized consistently:
  * prevouts: the address of a P2PKH input is derived from the public key in its scriptSig (hash160,
    Base58Check) and checked against the real output it spends where that output is in the data
    (da28401c... spends fda421cc...:0); the VALUES of inputs whose funding transaction is not in the data are
    invented (round amounts giving fees of 2.5-4 sat/vB);
  * heights: the block holding 586c51dc... and fda421cc... is put at 2583053 (their locktime + 1), the block
    of da28401c... 4 blocks later (the difference of their confirmations), the block of 2ba6da53... 2433
    blocks earlier; every other height up to the tip is a synthetic block holding only a coinbase;
  * the funding transactions of the real ones ("parents": their txids are real, their contents invented:
    one input from a testnet faucet address, outputs paying the derived addresses), in the block just
    below their children; the parents' funding transactions are invented faucet payments 10 blocks lower,
    whose own funding transactions are unknown to this node (-5);
  * coinbases (real serialisation, txid = double SHA-256 of it, value = subsidy + fees) paying a tb1q
    address; block hashes of synthetic blocks end with the height in hex.
Without the data directory a fully synthetic scenario of the same shape is used. Amounts are always written
as JSON numbers with 8 decimals (0.00488600), never through a float.
"""
import base64
import hashlib
import json
import os
import re
import sys
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# --- encodings ----------------------------------------------------------------------------------------------


def sha256(data):
    return hashlib.sha256(data).digest()


def sha256d(data):
    return sha256(sha256(data))


def _ripemd160_pure(data):
    # RIPEMD-160 (Dobbertin, Bosselaers, Preneel 1996) for Pythons whose OpenSSL lacks it.
    def rol(x, n):
        return ((x << n) | (x >> (32 - n))) & 0xFFFFFFFF

    def f(j, x, y, z):
        if j < 16:
            return x ^ y ^ z
        if j < 32:
            return (x & y) | (~x & z)
        if j < 48:
            return (x | ~y) ^ z
        if j < 64:
            return (x & z) | (y & ~z)
        return x ^ (y | ~z)

    kl = [0x00000000, 0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xA953FD4E]
    kr = [0x50A28BE6, 0x5C4DD124, 0x6D703EF3, 0x7A6D76E9, 0x00000000]
    rl = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2, 14, 11, 8,
          3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12, 1, 9, 11, 10, 0, 8, 12, 4, 13, 3, 7, 15, 14, 5, 6, 2,
          4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13]
    rr = [5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12, 6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12, 4, 9, 1, 2,
          15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13, 8, 6, 4, 1, 3, 11, 15, 0, 5, 12, 2, 13, 9, 7, 10, 14,
          12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11]
    sl = [11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8, 7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15, 9, 11, 7, 13, 12,
          11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5, 11, 12, 14, 15, 14, 15, 9, 8, 9, 14, 5, 6, 8, 6, 5, 12,
          9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8, 5, 6]
    sr = [8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6, 9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12, 7, 6, 15, 13, 11,
          9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5, 15, 5, 8, 11, 14, 14, 6, 14, 6, 9, 12, 9, 12, 5, 15, 8,
          8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11, 11]
    h = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0]
    msg = bytearray(data) + b"\x80"
    while len(msg) % 64 != 56:
        msg.append(0)
    msg += (8 * len(data)).to_bytes(8, "little")
    for block in range(0, len(msg), 64):
        x = [int.from_bytes(msg[block + 4 * i:block + 4 * i + 4], "little") for i in range(16)]
        al, bl, cl, dl, el = h
        ar, br, cr, dr, er = h
        for j in range(80):
            t = (rol((al + f(j, bl, cl, dl) + x[rl[j]] + kl[j // 16]) & 0xFFFFFFFF, sl[j]) + el) & 0xFFFFFFFF
            al, el, dl, cl, bl = el, dl, rol(cl, 10), bl, t
            t = (rol((ar + f(79 - j, br, cr, dr) + x[rr[j]] + kr[j // 16]) & 0xFFFFFFFF, sr[j]) + er) & 0xFFFFFFFF
            ar, er, dr, cr, br = er, dr, rol(cr, 10), br, t
        t = (h[1] + cl + dr) & 0xFFFFFFFF
        h[1] = (h[2] + dl + er) & 0xFFFFFFFF
        h[2] = (h[3] + el + ar) & 0xFFFFFFFF
        h[3] = (h[4] + al + br) & 0xFFFFFFFF
        h[4] = (h[0] + bl + cr) & 0xFFFFFFFF
        h[0] = t
    return b"".join(v.to_bytes(4, "little") for v in h)


def ripemd160(data):
    try:
        return hashlib.new("ripemd160", data).digest()
    except ValueError:
        return _ripemd160_pure(data)


def hash160(data):
    return ripemd160(sha256(data))


B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58check(payload):
    data = payload + sha256d(payload)[:4]
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32_polymod(values):
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if ((top >> i) & 1) else 0
    return chk


def segwit_v0_address(hrp, program):
    data, acc, bits = [0], 0, 0
    for byte in program:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    polymod = bech32_polymod(expanded + data + [0] * 6) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32[d] for d in data + checksum)


DESC_INPUT = "0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#\"\\ "
DESC_GEN = [0xF5DEE51989, 0xA9FDCA3312, 0x1BAB10E32D, 0x3706B1677A, 0x644D626FFD]


def descriptor(text):
    """text + '#' + Bitcoin Core's descriptor checksum (doc/descriptors.md)."""
    symbols, groups = [], []
    for c in text:
        v = DESC_INPUT.index(c)
        symbols.append(v & 31)
        groups.append(v >> 5)
        if len(groups) == 3:
            symbols.append(groups[0] * 9 + groups[1] * 3 + groups[2])
            groups = []
    if len(groups) == 1:
        symbols.append(groups[0])
    elif len(groups) == 2:
        symbols.append(groups[0] * 3 + groups[1])
    chk = 1
    for value in symbols + [0] * 8:
        top = chk >> 35
        chk = (chk & 0x7FFFFFFFF) << 5 ^ value
        for i in range(5):
            chk ^= DESC_GEN[i] if ((top >> i) & 1) else 0
    chk ^= 1
    return text + "#" + "".join(BECH32[(chk >> (5 * (7 - i))) & 31] for i in range(8))


def p2pkh_spk(h160):
    address = base58check(b"\x6f" + h160)  # testnet
    return {"asm": "OP_DUP OP_HASH160 %s OP_EQUALVERIFY OP_CHECKSIG" % h160.hex(),
            "desc": descriptor("addr(%s)" % address), "hex": "76a914%s88ac" % h160.hex(),
            "address": address, "type": "pubkeyhash"}


def p2wpkh_spk(h160):
    address = segwit_v0_address("tb", h160)
    return {"asm": "0 %s" % h160.hex(), "desc": descriptor("addr(%s)" % address), "hex": "0014%s" % h160.hex(),
            "address": address, "type": "witness_v0_keyhash"}


def txid_of(raw):
    return sha256d(raw)[::-1].hex()


# Exact numbers in JSON: a marker string replaced by the bare number text after json.dumps.
NUMBER_MARK = re.compile(r'"@@NUM:([0-9.]+)@@"')


def btc(sats):
    return "@@NUM:%d.%08d@@" % divmod(sats, 100_000_000)


def number(text):
    return "@@NUM:%s@@" % text


def dumps(value):
    return NUMBER_MARK.sub(r"\1", json.dumps(value))


def to_sats(value):
    return int(Decimal(value) * 100_000_000)


# --- scenario -----------------------------------------------------------------------------------------------

TESTNET_HALVING = 210_000
MINER = p2wpkh_spk(hash160(b"fundtrail fake miner"))
FAUCET = p2wpkh_spk(hash160(b"fundtrail testnet faucet"))
# Invented values of the inputs whose funding transaction is not in the data, by (transaction, input).
INPUT_VALUES = {("T1", 0): 854_000, ("T2", 0): 300_000, ("T3", 0): 500_000, ("T3", 1): 500_000,
                ("T3", 2): 500_000, ("T3", 3): 500_000, ("T3", 4): 189_500, ("T4", 0): 43_100}
REAL_FILES = {"T1": "2ba6da53badd14349c5d6379e88c345e88193598aad714815d4b57c691a9fbdf",
              "T2": "586c51dc94452aed9a373b0f52936c3e343c0db90f1155e985fd60e3c2e5c2b2",
              "T3": "fda421ccdff7324a382067d1746f6a387132435de6af336a0ebbf3f720eaae4d",
              "T4": "da28401c76d618e8c3b1c3e15dfe1c10d4b24875f23768f30bcc26c99b9c82d4"}


def script_num(n):
    if n == 0:
        return b"\x00"
    out = bytearray()
    while n:
        out.append(n & 0xFF)
        n >>= 8
    if out[-1] & 0x80:
        out.append(0)
    return bytes([len(out)]) + bytes(out)


def synthetic_hash(height):
    return sha256d(b"fundtrail synthetic block %d" % height)[::-1].hex()[:56] + "%08x" % height


def load_real(data_dir):
    txs = {}
    for name, txid in REAL_FILES.items():
        path = os.path.join(data_dir, "rawTxVerbose-%s.json" % txid)
        if not os.path.isfile(path):
            return None
        with open(path) as f:
            tx = json.load(f, parse_float=Decimal)
        if txid_of(bytes.fromhex(tx["hex"])) != tx["txid"]:  # non-witness: txid = dsha256(serialisation)
            raise SystemExit("%s: txid does not match its hex" % path)
        txs[name] = tx
    return txs


def make_synthetic():
    """Four transactions of the real ones' shape (verbosity 1), for when the data directory is absent."""
    def key(label):
        return bytes([2]) + sha256(label.encode())

    def pay(label, sats):
        return (p2pkh_spk(hash160(key(label))), sats)

    def tx(name, inputs, outputs, locktime, blockhash, time, confirmations):
        vin = [{"txid": prev, "vout": n, "scriptSig": {"asm": "3044[ALL] " + key(signer).hex(), "hex": ""},
                "sequence": 4294967293} for prev, n, signer in inputs]
        vout = [{"value": Decimal(sats) / 100_000_000, "n": i, "scriptPubKey": spk}
                for i, (spk, sats) in enumerate(outputs)]
        txid = sha256d(("fundtrail synthetic " + name).encode())[::-1].hex()
        return {"txid": txid, "hash": txid, "version": 2, "size": 100 + 148 * len(vin) + 34 * len(vout),
                "vsize": 100 + 148 * len(vin) + 34 * len(vout), "weight": 4 * (100 + 148 * len(vin) + 34 * len(vout)),
                "locktime": locktime, "vin": vin, "vout": vout, "blockhash": blockhash, "confirmations": confirmations,
                "time": time, "blocktime": time}

    def prev(label):
        return sha256d(label.encode())[::-1].hex()

    target = pay("target", 0)[0]
    op_return = {"asm": "OP_RETURN 00", "desc": descriptor("raw(6a0100)"), "hex": "6a0100", "type": "nulldata"}
    t1 = tx("T1", [(prev("p1"), 2, "k1")], [pay("a1", 600_000), (op_return, 0), (target, 253_100)],
            0, "00" * 4 + "11" * 28, 1709645043, 288434)
    t2 = tx("T2", [(prev("p2"), 1, "k2")], [pay("a2", 99_200), (target, 200_000)], 2583052,
            "00" * 4 + "22" * 28, 1711123214, 286001)
    t3 = tx("T3", [(prev("p2"), 0, "k3"), (prev("p3"), 0, "k4"), (prev("p4"), 0, "k5"), (prev("p5"), 0, "k6"),
                   (prev("p6"), 0, "k7")], [pay("k8", 187_300), (target, 2_000_000)], 2583052,
            "00" * 4 + "22" * 28, 1711123214, 286001)
    t4 = tx("T4", [(prev("p7"), 0, "k9"), (t3["txid"], 0, "k8")],
            [pay("a4", 9_300), (target, 20_000), (target, 100_000), (target, 100_000)], 2583056,
            "00" * 4 + "33" * 28, 1711126232, 285997)
    return {"T1": t1, "T2": t2, "T3": t3, "T4": t4}


class Chain:
    def __init__(self, data_dir):
        real = load_real(data_dir) if data_dir else None
        self.source = "real" if real else "synthetic"
        self.t = real or make_synthetic()
        t1, t2, t3, t4 = (self.t[n] for n in ("T1", "T2", "T3", "T4"))
        self.base = t2["locktime"] + 1                              # block of T2 and T3
        self.tip = self.base + (t2["confirmations"] - t4["confirmations"])  # block of T4
        self.t1_height = self.base - (t1["confirmations"] - t2["confirmations"])
        self.txs = {}        # txid -> {"tx": object without block fields, "height": h}
        self.blocks = {}     # height -> {"hash", "time", "txids"}
        self.by_hash = {}
        self.outputs = {}    # (txid, n) -> (spk, sats, height, generated)

        def place(height, blockhash, time):
            self.blocks[height] = {"hash": blockhash, "time": time, "txids": []}

        place(self.base, t2["blockhash"], t2["blocktime"])
        place(self.tip, t4["blockhash"], t4["blocktime"])
        for k in range(1, self.tip - self.base):
            place(self.base + k, synthetic_hash(self.base + k), t2["blocktime"] + k * 754)
        place(self.base - 1, synthetic_hash(self.base - 1), t2["blocktime"] - 600)
        place(self.t1_height, t1["blockhash"], t1["blocktime"])
        place(self.t1_height - 1, synthetic_hash(self.t1_height - 1), t1["blocktime"] - 600)

        # Prevouts: the real funding outputs where known, else from the public key in the scriptSig (P2PKH).
        for name in ("T1", "T2", "T3", "T4"):
            for n, out in enumerate(self.t[name]["vout"]):
                height = self.t1_height if name == "T1" else self.base if name in ("T2", "T3") else self.tip
                self.outputs[(self.t[name]["txid"], n)] = (out["scriptPubKey"], to_sats(out["value"]), height, False)
        needed = {}  # parent txid -> {vout: (spk, sats)}
        for name in ("T1", "T2", "T3", "T4"):
            for i, vin in enumerate(self.t[name]["vin"]):
                derived = p2pkh_spk(hash160(bytes.fromhex(vin["scriptSig"]["asm"].split(" ")[-1])))
                known = self.outputs.get((vin["txid"], vin["vout"]))
                if known:
                    if known[0]["address"] != derived["address"]:
                        raise SystemExit("derived address %s != funding output %s" % (derived["address"],
                                                                                      known[0]["address"]))
                    continue
                needed.setdefault(vin["txid"], {})[vin["vout"]] = (derived, INPUT_VALUES[(name, i)])
        self.parents = {}
        self.grandparents = {}  # synthetic parent -> its funding transaction
        for parent, outs in needed.items():
            child_of_t1 = any(v["txid"] == parent for v in t1["vin"])
            height = self.t1_height - 1 if child_of_t1 else self.base - 1
            self.parents[parent] = height
            vout = [outs.get(n, (FAUCET, 10_000)) for n in range(max(outs) + 1)]
            fee = 500
            grandparent = sha256d(b"fundtrail grandparent " + parent.encode())[::-1].hex()
            size = 10 + 68 + 31 * len(vout)
            tx = {"txid": parent, "hash": sha256d(b"wtxid " + parent.encode())[::-1].hex(), "version": 2,
                  "size": size + 109, "vsize": size, "weight": 4 * size + 109, "locktime": 0,
                  "vin": [{"txid": grandparent, "vout": 0, "scriptSig": {"asm": "", "hex": ""},
                           "txinwitness": ["30440220" + "11" * 66 + "01", "02" + "22" * 32], "sequence": 4294967293,
                           "_prevout": (FAUCET, sum(s for _, s in vout) + fee, height - 10, False)}],
                  "vout": [{"value": btc(sats), "n": n, "scriptPubKey": spk} for n, (spk, sats) in enumerate(vout)],
                  "_sats": [sats for _, sats in vout]}
            for n, (spk, sats) in enumerate(vout):
                self.outputs[(parent, n)] = (spk, sats, height, False)
            self.add(tx, height)
            # The grandparent: a faucet payment whose own funding transaction this node does not know.
            funding = tx["vin"][0]["_prevout"][1]
            if height - 10 not in self.blocks:
                place(height - 10, synthetic_hash(height - 10), self.block_time(height) - 6000)
            great = sha256d(b"fundtrail great-grandparent " + grandparent.encode())[::-1].hex()
            self.add({"txid": grandparent, "hash": grandparent, "version": 2, "size": 110, "vsize": 110,
                      "weight": 440, "locktime": 0,
                      "vin": [{"txid": great, "vout": 0, "scriptSig": {"asm": "", "hex": ""},
                               "txinwitness": ["30440220" + "33" * 66 + "01", "02" + "44" * 32],
                               "sequence": 4294967293, "_prevout": (FAUCET, funding + 500, height - 20, False)}],
                      "vout": [{"value": btc(funding), "n": 0, "scriptPubKey": FAUCET}], "_sats": [funding]},
                     height - 10)
            self.grandparents[parent] = grandparent
        for name in ("T1", "T2", "T3", "T4"):
            raw = self.t[name]
            tx = {k: raw[k] for k in ("txid", "hash", "version", "size", "vsize", "weight", "locktime")}
            tx["vin"] = [dict(v) for v in raw["vin"]]
            for v in tx["vin"]:
                v["_prevout"] = self.outputs[(v["txid"], v["vout"])]
            tx["vout"] = [{"value": btc(to_sats(o["value"])), "n": o["n"], "scriptPubKey": o["scriptPubKey"]}
                          for o in raw["vout"]]
            tx["_sats"] = [to_sats(o["value"]) for o in raw["vout"]]
            if "hex" in raw:
                tx["hex"] = raw["hex"]
            height = self.t1_height if name == "T1" else self.base if name in ("T2", "T3") else self.tip
            self.add(tx, height)
        for height, block in self.blocks.items():
            block["txids"].insert(0, self.coinbase(height, block)["txid"])
        for height, block in self.blocks.items():
            self.by_hash[block["hash"]] = height

    def fee(self, tx):
        if "coinbase" in tx["vin"][0]:
            return 0
        spent = sum(v["_prevout"][1] for v in tx["vin"])
        paid = sum(tx["_sats"])
        assert spent >= paid, tx["txid"]
        return spent - paid

    def add(self, tx, height):
        self.txs[tx["txid"]] = {"tx": tx, "height": height}
        self.blocks[height]["txids"].append(tx["txid"])

    def coinbase(self, height, block):
        fees = sum(self.fee(self.txs[t]["tx"]) for t in block["txids"])
        value = (50 * 100_000_000 >> (height // TESTNET_HALVING)) + fees
        script_sig = script_num(height) + bytes([14]) + b"fundtrail test"
        raw = (b"\x02\x00\x00\x00" + b"\x01" + b"\x00" * 32 + b"\xff\xff\xff\xff" + bytes([len(script_sig)]) +
               script_sig + b"\xff\xff\xff\xff" + b"\x01" + value.to_bytes(8, "little") + b"\x16" +
               bytes.fromhex(MINER["hex"]) + b"\x00\x00\x00\x00")
        tx = {"txid": txid_of(raw), "hash": txid_of(raw), "version": 2, "size": len(raw), "vsize": len(raw),
              "weight": 4 * len(raw), "locktime": 0, "vin": [{"coinbase": script_sig.hex(), "sequence": 4294967295}],
              "vout": [{"value": btc(value), "n": 0, "scriptPubKey": MINER}], "hex": raw.hex(), "_sats": [value]}
        self.txs[tx["txid"]] = {"tx": tx, "height": height}
        return tx

    # -- views --

    def block_hash(self, height):
        return self.blocks[height]["hash"] if height in self.blocks else synthetic_hash(height)

    def block_height(self, blockhash):
        if blockhash in self.by_hash:
            return self.by_hash[blockhash]
        height = int(blockhash[56:], 16) if re.fullmatch(r"[0-9a-f]{64}", blockhash) else -1
        return height if 0 <= height <= self.tip and synthetic_hash(height) == blockhash else None

    def block_txids(self, height):
        if height in self.blocks:
            return self.blocks[height]["txids"]
        block = {"hash": synthetic_hash(height), "time": self.blocks[self.base]["time"] - 600 * (self.base - height),
                 "txids": []}
        return [self.coinbase(height, block)["txid"]]

    def block_time(self, height):
        if height in self.blocks:
            return self.blocks[height]["time"]
        return self.blocks[self.base]["time"] - 600 * (self.base - height)

    def tx_view(self, txid, prevouts):
        tx = self.txs[txid]["tx"]
        out = {k: v for k, v in tx.items() if k not in ("vin", "vout", "hex", "_sats")}
        out["vin"] = []
        for v in tx["vin"]:
            item = {k: val for k, val in v.items() if k != "_prevout"}
            if prevouts and "_prevout" in v:
                spk, sats, height, generated = v["_prevout"]
                item["prevout"] = {"generated": generated, "height": height, "value": btc(sats), "scriptPubKey": spk}
            out["vin"].append(item)
        out["vout"] = tx["vout"]
        if "coinbase" not in tx["vin"][0]:
            out["fee"] = btc(self.fee(tx))
        if "hex" in tx:
            out["hex"] = tx["hex"]
        return out

    def header(self, height):
        header = {"hash": self.block_hash(height), "confirmations": self.tip - height + 1, "height": height,
                  "version": 536870912, "versionHex": "20000000", "merkleroot": "00" * 32,
                  "time": self.block_time(height), "mediantime": self.block_time(height) - 1800, "nonce": 0,
                  "bits": "1d00ffff", "difficulty": number("1.0"), "chainwork": "%064x" % height,
                  "nTx": len(self.block_txids(height)), "previousblockhash": self.block_hash(height - 1)}
        if height < self.tip:
            header["nextblockhash"] = self.block_hash(height + 1)
        return header

    def describe(self):
        t = self.t
        in_range = [txid for h in range(self.base, self.tip + 1) for txid in self.block_txids(h)]
        target = t["T2"]["vout"][1]["scriptPubKey"]["address"]
        received = sum(to_sats(o["value"]) for n in ("T2", "T3", "T4") for o in t[n]["vout"]
                       if o["scriptPubKey"].get("address") == target)
        blocks = [{"height": h, "hash": self.block_hash(h), "txids": self.block_txids(h)}
                  for h in range(self.base, self.tip + 1)]
        return {"source": self.source, "tip": self.tip, "range": [self.base, self.tip], "range_txids": in_range,
                "range_blocks": blocks,
                "seed": t["T4"]["txid"], "parents": [v["txid"] for v in t["T4"]["vin"]],
                "grandparents": sorted({v["txid"] for v in t["T3"]["vin"]} |
                                       {self.grandparents[v["txid"]] for v in t["T4"]["vin"]
                                        if v["txid"] in self.grandparents}),
                "outside_txid": t["T1"]["txid"],
                "address": target, "received_in_range": "%d.%08d" % divmod(received, 100_000_000),
                "parents_height": self.base - 1}


# --- RPC ----------------------------------------------------------------------------------------------------


class RpcFailure(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def verbosity_of(value, default):
    if value is None:
        return default
    if isinstance(value, bool):
        return 1 if value else 0
    return int(value)


def dispatch(chain, method, params):
    params = list(params or [])
    param = lambda i, default=None: params[i] if len(params) > i else default
    if method == "getblockcount":
        return chain.tip
    if method == "getblockhash":
        height = param(0)
        if not isinstance(height, int) or height < 0 or height > chain.tip:
            raise RpcFailure(-8, "Block height out of range")
        return chain.block_hash(height)
    if method in ("getblock", "getblockheader"):
        blockhash = param(0)
        if not isinstance(blockhash, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", blockhash):
            raise RpcFailure(-8, "blockhash must be of length 64 (not %d, for '%s')" % (len(str(blockhash)),
                                                                                    str(blockhash)[:80]))
        height = chain.block_height(blockhash.lower())
        if height is None:
            raise RpcFailure(-5, "Block not found")
        header = chain.header(height)
        if method == "getblockheader":
            return header
        verbosity = verbosity_of(param(1), 1)
        txids = chain.block_txids(height)
        block = dict(header)
        block.update({"strippedsize": 1000, "size": 1000, "weight": 4000})
        if verbosity == 1:
            block["tx"] = txids
        elif verbosity in (2, 3):
            block["tx"] = [chain.tx_view(txid, prevouts=verbosity == 3) for txid in txids]
        else:
            raise RpcFailure(-8, "this fake node serves getblock verbosity 1, 2 and 3 only")
        return block
    if method == "getrawtransaction":
        txid = param(0)
        if not isinstance(txid, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", txid):
            raise RpcFailure(-8, "parameter 1 must be of length 64")
        entry = chain.txs.get(txid.lower())
        if entry is None:
            raise RpcFailure(-5, "No such mempool or blockchain transaction. Use gettransaction for wallet "
                                 "transactions.")
        verbosity = verbosity_of(param(1), 0)
        if verbosity == 0:
            if "hex" not in entry["tx"]:
                raise RpcFailure(-8, "this fake node has no serialisation of synthetic transaction " + txid)
            return entry["tx"]["hex"]
        view = chain.tx_view(txid.lower(), prevouts=verbosity >= 2)
        if verbosity < 2:
            view.pop("fee", None)
        height = entry["height"]
        view.update({"blockhash": chain.block_hash(height), "confirmations": chain.tip - height + 1,
                     "time": chain.block_time(height), "blocktime": chain.block_time(height)})
        return view
    raise RpcFailure(-32601, "Method not found")


class Server(ThreadingHTTPServer):
    daemon_threads = True


def main(argv):
    args = {"--data": os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data",
                                   "bitcoin-core-rpc-json"),
            "--log": None, "--busy": "0", "--busy-status": "503", "--busy-method": None}
    flags = set()
    positional = []
    i = 1
    while i < len(argv):
        if argv[i] == "--reverse-batches":
            flags.add(argv[i])
            i += 1
        elif argv[i] in args:
            args[argv[i]] = argv[i + 1]
            i += 2
        else:
            positional.append(argv[i])
            i += 1
    if len(positional) != 2:
        sys.stderr.write(__doc__)
        return 2
    user, password = positional
    expected_auth = "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
    chain = Chain(args["--data"] if os.path.isdir(args["--data"]) else None)
    lock = threading.Lock()
    busy_left = [int(args["--busy"])]
    busy_status = int(args["--busy-status"])
    busy_method = args["--busy-method"]
    reverse = "--reverse-batches" in flags

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *a):
            pass

        def reply(self, status, body, content_type="application/json", headers=()):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log(self, entry):
            if args["--log"]:
                with lock, open(args["--log"], "a") as f:
                    f.write(json.dumps(entry) + "\n")

        def do_GET(self):
            self.reply(405, "JSONRPC server handles only POST requests", "text/html")

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            auth = self.headers.get("Authorization")
            auth_state = "none" if auth is None else "ok" if auth == expected_auth else "bad"
            try:
                request = json.loads(raw)
            except ValueError:
                request = None
            calls = request if isinstance(request, list) else [request]
            entry = {"auth": auth_state, "batch": isinstance(request, list),
                     "calls": [{k: c.get(k) for k in ("jsonrpc", "id", "method", "params")} if isinstance(c, dict)
                               else None for c in calls]}
            if auth_state != "ok":
                entry["status"] = 401
                self.log(entry)
                self.reply(401, "", "text/html", [("WWW-Authenticate", 'Basic realm="jsonrpc"')])
                return
            methods = [c.get("method") for c in calls if isinstance(c, dict)]
            with lock:
                busy = busy_left[0] > 0 and (busy_method is None or busy_method in methods)
                if busy:
                    busy_left[0] -= 1
            if busy:
                entry["status"] = busy_status
                self.log(entry)
                self.reply(busy_status, "Work queue depth exceeded", "text/html")
                return
            if request is None:
                entry["status"] = 500
                self.log(entry)
                self.reply(500, dumps({"result": None, "error": {"code": -32700, "message": "Parse error"},
                                       "id": None}) + "\n")
                return
            answers, status = [], 200
            for call in calls:
                version2 = isinstance(call, dict) and call.get("jsonrpc") == "2.0"
                call_id = call.get("id") if isinstance(call, dict) else None
                try:
                    if not isinstance(call, dict) or not isinstance(call.get("method"), str):
                        raise RpcFailure(-32600, "Invalid Request object")
                    result = dispatch(chain, call["method"], call.get("params"))
                    answer = {"jsonrpc": "2.0", "result": result, "id": call_id} if version2 else \
                        {"result": result, "error": None, "id": call_id}
                except RpcFailure as failure:
                    error = {"code": failure.code, "message": failure.message}
                    answer = {"jsonrpc": "2.0", "error": error, "id": call_id} if version2 else \
                        {"result": None, "error": error, "id": call_id}
                    if not isinstance(request, list) and not version2:
                        status = 404 if failure.code == -32601 else 400 if failure.code == -32600 else 500
                answers.append(answer)
            if isinstance(request, list):
                body = dumps(list(reversed(answers)) if reverse else answers)
            else:
                body = dumps(answers[0])
            entry["status"] = status
            self.log(entry)
            self.reply(status, body + "\n")

    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    print(json.dumps(chain.describe()), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
