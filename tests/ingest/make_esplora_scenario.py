#!/usr/bin/env python3
"""Builds deterministic Esplora scenarios for fake_esplora_server.py (Python 3 standard library only).

  make_esplora_scenario.py [--out PATH]            the test scenario (tests/data/esplora_scenario.json)
  make_esplora_scenario.py --bench-fanout N --bench-txs K [--out PATH]
                                                   a benchmark scenario: seed W pays N wallets, each of which
                                                   then has K more transactions (see tools/bench_ingest)
  make_esplora_scenario.py --multi-seed [--out PATH]
                                                   two seeds reaching one wallet at different hops (see
                                                   multi_seed_scenario)
  make_esplora_scenario.py --describe              prints the test scenario's wallets (name, address, txs)

The output is {"description": ..., "wallets": {name: address}, "transactions": [Esplora /tx objects]} with
one transaction per line. Every transaction has the exact Esplora /tx shape (txid, version, locktime, vin with
prevout, vout, size, weight, fee, status); addresses are valid mainnet P2WPKH (bc1q..., BIP-173 bech32) or
P2PKH (1..., base58check) with the matching scriptPubKey; amounts are consistent (fee = inputs - outputs) and
in the test scenario every input spends an output of an earlier transaction of the file, at most once.
Txids, block hashes and signatures are derived from SHA-256 of fixed labels: they look real but sign nothing.

The test scenario (times in 2023, one block every 10 minutes from height 780000):
  coinbase -> M (miner, P2PKH); M fans out to B (bank), F1, F2, F3 (funders), G1; M pays S once
  G1 pays F1 (so F1 has an upstream wallet at hop 2 from S)
  B funds X01..X15, who deposit to and withdraw from the exchange hot wallet H (> 70 transactions: a hub)
  S (the seed) receives from F1..F3 and M, pays R1..R6 (R6 is P2PKH), deposits to H once; 62 confirmed
  transactions (3 pages of history) and 1 unconfirmed (S -> R5, in the mempool)
  one transaction with inputs of S (two outputs, merged) and F2, paying R3 with change to S and F2
  one transaction with an OP_RETURN output; R1, R2, R3 later pay T1..T4 (hop 2 from S, forward in time)
Tests compute what a crawl must store from the file itself (tests/cli/ingest_cli_test.cpp), so changing
this script only needs regenerating the file:
  python3 tests/ingest/make_esplora_scenario.py --out tests/data/esplora_scenario.json
"""
import argparse
import hashlib
import json
import random
import sys

# ---------------------------------------------------------------------------------------------------------
# Addresses: BIP-173 bech32 (witness v0) and base58check

BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32_polymod(values):
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            checksum ^= generator[i] if ((top >> i) & 1) else 0
    return checksum


def bech32_hrp_expand(hrp):
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def bech32_create_checksum(hrp, data):
    polymod = bech32_polymod(bech32_hrp_expand(hrp) + data + [0] * 6) ^ 1  # bech32 (not bech32m) constant 1
    return [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]


def convertbits(data, frombits, tobits):
    acc, bits, out = 0, 0, []
    maxv = (1 << tobits) - 1
    for value in data:
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if bits:
        out.append((acc << (tobits - bits)) & maxv)
    return out


def segwit_v0_address(program, hrp="bc"):
    data = [0] + convertbits(program, 8, 5)
    return hrp + "1" + "".join(BECH32_CHARSET[d] for d in data + bech32_create_checksum(hrp, data))


BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58check(payload):
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number = int.from_bytes(data, "big")
    text = ""
    while number:
        number, digit = divmod(number, 58)
        text = BASE58_ALPHABET[digit] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def sha(label):
    return hashlib.sha256(label.encode()).digest()


class Wallet:
    """A single-key wallet: P2WPKH (default) or P2PKH, key hash derived from a label."""

    def __init__(self, label, kind="p2wpkh"):
        self.label = label
        self.kind = kind
        self.hash160 = sha("fundtrail-scenario-key:" + label)[:20]
        h = self.hash160.hex()
        if kind == "p2wpkh":
            self.address = segwit_v0_address(self.hash160)
            self.script = "0014" + h
            self.script_asm = "OP_0 OP_PUSHBYTES_20 " + h
            self.script_type = "v0_p2wpkh"
        else:
            self.address = base58check(b"\x00" + self.hash160)
            self.script = "76a914" + h + "88ac"
            self.script_asm = "OP_DUP OP_HASH160 OP_PUSHBYTES_20 " + h + " OP_EQUALVERIFY OP_CHECKSIG"
            self.script_type = "p2pkh"
        self.pubkey = "02" + sha("fundtrail-scenario-pub:" + label).hex()

    def vout(self, value):
        return {"scriptpubkey": self.script, "scriptpubkey_asm": self.script_asm,
                "scriptpubkey_type": self.script_type, "scriptpubkey_address": self.address, "value": value}


def op_return_vout(message):
    data = message.encode().hex()
    size = len(data) // 2
    return {"scriptpubkey": "6a" + format(size, "02x") + data,
            "scriptpubkey_asm": "OP_RETURN OP_PUSHBYTES_%d %s" % (size, data),
            "scriptpubkey_type": "op_return", "value": 0}


# ---------------------------------------------------------------------------------------------------------
# A small chain: UTXOs per wallet, blocks, transactions in Esplora's shape


class Chain:
    def __init__(self, first_height=780000, first_time=1677628800, seed=20230301, label=""):
        self.height = first_height - 1
        self.time = first_time
        self.block_hash = None
        self.transactions = []
        self.utxos = {}  # address -> [(txid, vout, value, wallet)]
        self.random = random.Random(seed)
        self.counter = 0
        self.label = label  # keeps the txids of different scenarios apart

    def new_block(self):
        self.height += 1
        self.time += 600
        self.block_hash = "0000000000000000000" + sha("block:%d" % self.height).hex()[:45]

    def next_txid(self):
        self.counter += 1
        return sha("fundtrail-scenario-tx:%s%d" % (self.label, self.counter)).hex()

    def signature(self, label):
        return "30440220" + sha("r:" + label).hex() + "0220" + sha("s:" + label).hex() + "01"

    def add(self, inputs, outputs, confirmed=True, coinbase_value=None):
        """inputs: [(txid, vout, value, wallet)] (consumed); outputs: [(wallet | "op_return:<msg>", value)]."""
        txid = self.next_txid()
        vin = []
        if coinbase_value is not None:
            vin.append({"txid": "0" * 64, "vout": 4294967295, "prevout": None,
                        "scriptsig": "03" + format(self.height, "06x")[4:6] + format(self.height, "06x")[2:4]
                        + format(self.height, "06x")[0:2] + "0466756e64",
                        "scriptsig_asm": "OP_PUSHBYTES_3 %06x OP_PUSHBYTES_4 66756e64" % self.height,
                        "witness": ["00" * 32], "is_coinbase": True, "sequence": 4294967295})
        for prev_txid, prev_vout, value, wallet in inputs:
            entry = {"txid": prev_txid, "vout": prev_vout, "prevout": wallet.vout(value)}
            label = "%s:%d" % (prev_txid, prev_vout)
            if wallet.kind == "p2wpkh":
                entry.update({"scriptsig": "", "scriptsig_asm": "", "witness": [self.signature(label), wallet.pubkey]})
            else:
                sig = self.signature(label)
                entry.update({"scriptsig": "47" + sig + "21" + wallet.pubkey,
                              "scriptsig_asm": "OP_PUSHBYTES_71 %s OP_PUSHBYTES_33 %s" % (sig, wallet.pubkey)})
            entry.update({"is_coinbase": False, "sequence": 4294967293})
            vin.append(entry)
            self.utxos[wallet.address].remove((prev_txid, prev_vout, value, wallet))
        vout = []
        for n, (target, value) in enumerate(outputs):
            if isinstance(target, str):
                vout.append(op_return_vout(target[len("op_return:"):]))
            else:
                vout.append(target.vout(value))
                self.utxos.setdefault(target.address, []).append((txid, n, value, target))
        total_in = coinbase_value if coinbase_value is not None else sum(i[2] for i in inputs)
        total_out = sum(v["value"] for v in vout)
        assert total_in >= total_out, (total_in, total_out)
        fee = 0 if coinbase_value is not None else total_in - total_out
        has_witness = any("witness" in i for i in vin)
        base = 10 + 41 * len(vin) + sum(8 + 1 + len(v["scriptpubkey"]) // 2 for v in vout) + \
            sum(len(i.get("scriptsig", "")) // 2 for i in vin)
        witness = sum(2 + sum(1 + len(w) // 2 for w in i.get("witness", [])) for i in vin) if has_witness else 0
        status = {"confirmed": False}
        if confirmed:
            status = {"confirmed": True, "block_height": self.height, "block_hash": self.block_hash,
                      "block_time": self.time}
        tx = {"txid": txid, "version": 2, "locktime": 0, "vin": vin, "vout": vout,
              "size": base + witness, "weight": base * 4 + witness, "fee": fee, "status": status}
        self.transactions.append(tx)
        return tx

    def pay(self, payers, outputs, fee=None, change_to=None, confirmed=True):
        """Spends the oldest UTXOs of `payers` (in turn) to cover outputs + fee; change to change_to/payers[0]."""
        need = sum(v for _, v in outputs)
        fee = fee if fee is not None else self.random.randint(400, 4000)
        inputs, total = [], 0
        for payer in payers:
            for utxo in list(self.utxos.get(payer.address, [])):
                if total >= need + fee + 1000:
                    break
                inputs.append(utxo)
                total += utxo[2]
        assert total >= need + fee, ("insufficient funds", [p.label for p in payers], total, need + fee)
        change = total - need - fee
        outs = list(outputs)
        if change > 0:
            outs.append((change_to or payers[0], change))
        return self.add(inputs, outs, confirmed=confirmed)


# ---------------------------------------------------------------------------------------------------------
# The test scenario


def test_scenario():
    chain = Chain()
    rnd = chain.random
    w = {}

    def wallet(name, kind="p2wpkh"):
        w[name] = Wallet("scenario:" + name, kind)
        return w[name]

    M = wallet("M", "p2pkh")
    S = wallet("S")
    B = wallet("B")
    H = wallet("H")
    G1 = wallet("G1")
    F = [wallet("F%d" % i) for i in range(1, 4)]
    R = [wallet("R%d" % i) for i in range(1, 6)] + [wallet("R6", "p2pkh")]
    T = [wallet("T%d" % i) for i in range(1, 5)]
    X = [wallet("X%02d" % i) for i in range(1, 16)]

    chain.new_block()
    chain.add([], [(M, 625_000_000 + 12_345_678)], coinbase_value=625_000_000 + 12_345_678)
    chain.new_block()
    chain.pay([M], [(B, 300_000_000), (F[0], 40_000_000), (F[1], 40_000_000), (F[2], 40_000_000),
                    (G1, 20_000_000)], fee=5_120)
    chain.new_block()
    chain.pay([M], [(S, 30_000_000)], fee=2_210)
    chain.pay([G1], [(F[0], 5_000_000)], fee=1_410)
    chain.new_block()
    chain.pay([B], [(x, 6_000_000 + 100_003 * i) for i, x in enumerate(X)], fee=9_999)

    s_confirmed = 1  # M -> S
    special_done = set()
    h_count = 0
    block = 0
    payments = 0
    # ~70 blocks of mixed activity. Each block: some of S's payments and receipts, exchange traffic.
    hop2 = [(R[0], T[0]), (R[0], T[1]), (R[1], T[2]), (R[2], T[3])]
    while s_confirmed < 62 or h_count < 74 or hop2:
        chain.new_block()
        block += 1
        assert block < 400, ("scenario does not converge", s_confirmed, h_count, hop2)
        if s_confirmed < 62:
            kind = block % 3
            if block == 9 and "multi" not in special_done:
                # Inputs of two addresses (S's two oldest outputs, merged; one of F2), change to S and F2.
                s_utxos = chain.utxos[S.address][:2]
                f_utxo = chain.utxos[F[1].address][0]
                total = sum(u[2] for u in s_utxos) + f_utxo[2]
                pay_r3 = 23_333_337
                change_f2 = 21_777_777
                fee = 4_321
                assert total - pay_r3 - change_f2 - fee > 0
                chain.add(s_utxos + [f_utxo], [(R[2], pay_r3), (S, total - pay_r3 - change_f2 - fee),
                                               (F[1], change_f2)])
                special_done.add("multi")
                s_confirmed += 1
            elif block == 14 and "op_return" not in special_done:
                chain.pay([S], [(R[3], 1_234_567), ("op_return:fundtrail test scenario", 0)], fee=1_999)
                special_done.add("op_return")
                s_confirmed += 1
            elif block == 20 and "deposit" not in special_done:
                chain.pay([S], [(H, 2_500_000)], fee=1_500)
                special_done.add("deposit")
                s_confirmed += 1
                h_count += 1
            elif kind == 0:
                funder = F[(block // 3) % 3]
                chain.pay([funder], [(S, rnd.randint(1_500_000, 2_500_000))])
                s_confirmed += 1
            else:
                target = R[payments % 6]
                payments += 1
                chain.pay([S], [(target, rnd.randint(300_000, 1_200_000))])
                s_confirmed += 1
            if s_confirmed < 62 and block % 4 == 1:  # a second S transaction in the same block (ties)
                chain.pay([S], [(R[payments % 6], rnd.randint(200_000, 600_000))])
                payments += 1
                s_confirmed += 1
        # Exchange traffic: deposits from X wallets, withdrawals to them.
        for _ in range(2):
            if h_count >= 74:
                break
            x = X[rnd.randrange(len(X))]
            if h_count % 3 != 2 and chain.utxos.get(x.address):
                chain.pay([x], [(H, rnd.randint(200_000, 900_000))])
            else:
                chain.pay([H], [(x, rnd.randint(100_000, 500_000))])
            h_count += 1
        # Hop 2 forward in time: recipients spend what S sent them (every output they hold came from S).
        if block >= 25 and block % 2 == 0 and hop2 and chain.utxos.get(hop2[0][0].address):
            sender, target = hop2.pop(0)
            chain.pay([sender], [(target, rnd.randint(100_000, 300_000))])

    # One transaction still in the mempool: S pays R5.
    chain.pay([S], [(R[4], 777_777)], fee=2_222, confirmed=False)
    return chain, w


def bench_scenario(fanout, txs_per_wallet):
    """Seed W0 pays `fanout` wallets (25 per transaction); each then has `txs_per_wallet` more transactions
    with its own counterparties (prevouts of those refer to outputs outside the file, as in a partial view)."""
    chain = Chain(seed=7, label="bench:")
    w = {}
    W0 = Wallet("bench:W0")
    w["W0"] = W0
    wallets = [Wallet("bench:H%04d" % i) for i in range(fanout)]
    chain.new_block()
    chain.add([], [(W0, 5_000_000_000)], coinbase_value=5_000_000_000)
    for start in range(0, fanout, 25):
        chain.new_block()
        chain.pay([W0], [(x, 10_000_000) for x in wallets[start:start + 25]], fee=5_000)
    for i, x in enumerate(wallets):
        w["H%04d" % i] = x
    # The wallets' other transactions: alternately receive from an outside wallet and pay one.
    for k in range(txs_per_wallet - 1):
        chain.new_block()
        for i, x in enumerate(wallets):
            other = Wallet("bench:O%04d:%d" % (i, k % 7))
            if k % 2 == 0:
                outside = ("%064x" % (i * 1_000_003 + k), 0, 300_000, other)
                chain.utxos.setdefault(other.address, []).append(outside)
                chain.add([outside], [(x, 200_000), (other, 99_000)])
            else:
                chain.pay([x], [(other, 50_000)], fee=1_000)
    return chain, w


def multi_seed_scenario():
    """Two seeds crawled together (--direction out): A is small, B has 180 transactions (8 pages).
    A pays X, X pays Y, B pays Y, Y pays Z, Z pays W. Breadth-first from {A, B}: X and Y at hop 1, Z at hop 2
    (so with --hops 3, Z's history, which holds Z -> W, is fetched)."""
    chain = Chain(seed=11, label="multiseed:")
    w = {name: Wallet("multiseed:" + name) for name in ("A", "B", "X", "Y", "Z", "W")}
    chain.new_block()
    chain.add([], [(w["A"], 100_000_000)], coinbase_value=100_000_000)
    for _ in range(179):  # B's history: mostly coinbase receipts (no outgoing counterparties)
        chain.new_block()
        chain.add([], [(w["B"], 50_000_000)], coinbase_value=50_000_000)
    chain.new_block()
    chain.pay([w["A"]], [(w["X"], 10_000_000)], fee=1_000)
    chain.new_block()
    chain.pay([w["X"]], [(w["Y"], 5_000_000)], fee=1_000)
    chain.pay([w["B"]], [(w["Y"], 7_000_000)], fee=1_000)
    chain.new_block()
    chain.pay([w["Y"]], [(w["Z"], 3_000_000)], fee=1_000)
    chain.new_block()
    chain.pay([w["Z"]], [(w["W"], 1_000_000)], fee=1_000)
    return chain, w


def write_scenario(chain, wallets, description, out):
    out.write("{\n")
    out.write('"description": %s,\n' % json.dumps(description))
    out.write('"wallets": %s,\n' % json.dumps({name: x.address for name, x in wallets.items()}, sort_keys=True))
    out.write('"transactions": [\n')
    out.write(",\n".join(json.dumps(tx, separators=(",", ":")) for tx in chain.transactions))
    out.write("\n]\n}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", help="output file (default: stdout)")
    parser.add_argument("--bench-fanout", type=int, help="benchmark scenario: wallets paid by the seed W0")
    parser.add_argument("--bench-txs", type=int, default=1, help="benchmark scenario: transactions per wallet")
    parser.add_argument("--multi-seed", action="store_true", help="the two-seed scenario (see multi_seed_scenario)")
    parser.add_argument("--describe", action="store_true", help="list the test scenario's wallets")
    args = parser.parse_args()
    if args.multi_seed:
        chain, wallets = multi_seed_scenario()
        description = "two seeds A (small) and B (8 pages) reaching Y at different hops"
    elif args.bench_fanout:
        chain, wallets = bench_scenario(args.bench_fanout, args.bench_txs)
        description = "benchmark: W0 pays %d wallets, %d transactions each" % (args.bench_fanout, args.bench_txs)
    else:
        chain, wallets = test_scenario()
        description = "fundtrail ingest test scenario (tests/ingest/make_esplora_scenario.py)"
    if args.describe:
        for name, x in sorted(wallets.items()):
            count = sum(1 for tx in chain.transactions
                        if any((i.get("prevout") or {}).get("scriptpubkey_address") == x.address for i in tx["vin"])
                        or any(o.get("scriptpubkey_address") == x.address for o in tx["vout"]))
            print("%-4s %-42s %3d txs" % (name, x.address, count))
        print("%d transactions" % len(chain.transactions))
        return 0
    if args.out:
        with open(args.out, "w") as out:
            write_scenario(chain, wallets, description, out)
    else:
        write_scenario(chain, wallets, description, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
