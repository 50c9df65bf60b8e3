#!/usr/bin/env python3
"""Generate fundtrail's bundled offline demo case (synthetic, deterministic).

Writes, by default into data/demo/ of the repository:
  transfers.csv  the transfers in fundtrail's `import` CSV format
  roles.json     role name -> address(es), for tests and scripts
  README.md      the case told for investigators, with the role addresses

Python 3 standard library only. A fixed seed and a fixed base date make every run produce byte-identical
files. Every address is Base58Check (TRON 0x41, BTC P2PKH 0x00 / P2SH 0x05) or BIP-173 bech32 (BTC P2WPKH)
over random bytes, and is decoded again before it is used. After writing, the CSV is read back and checked:
column counts, formats, decimals, unique (chain, tx_hash, index), block heights against timestamps, balances
never negative for story wallets, time order of every hop, and the expected time-respecting traces.

Usage: python3 tools/demo/make_demo_case.py [--out-dir DIR]
"""
import argparse
import csv
import hashlib
import json
import os
import random
import re
import sys
from datetime import datetime, timezone

SEED = 20240205
BASE = int(datetime(2024, 2, 1, tzinfo=timezone.utc).timestamp())  # 2024-02-01T00:00:00Z
MINUTE, HOUR, DAY = 60, 3600, 86400

# Synthetic but plausible chain clocks: TRON makes a block every 3 s, Bitcoin about every 10 min.
TRON_HEIGHT_AT_BASE = 58_960_000
TRON_BLOCK_SECONDS = 3
BTC_HEIGHT_AT_BASE = 828_300
BTC_BLOCK_SECONDS = 600

DECIMALS = {("tron", "USDT"): 6, ("tron", "TRX"): 6, ("btc", "BTC"): 8, ("generic", "USD"): 2}
HEADER = ["chain", "tx_hash", "timestamp", "from", "to", "asset", "amount", "block_height", "index", "decimals"]

USDT = 10**6  # base units per USDT (and per TRX)
SAT = 10**8   # satoshi per BTC
CENT = 100


def day(d, h=0, m=0, s=0):
    """2024-02-01 is day 0 at 00:00 UTC."""
    return BASE + d * DAY + h * HOUR + m * MINUTE + s


def iso(t):
    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text):
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())


def fmt_amount(units, decimals):
    """Exact display-unit decimal without exponent or trailing zeros: 1250500000, 6 -> '1250.5'."""
    assert isinstance(units, int) and units > 0, units
    whole, frac = divmod(units, 10**decimals)
    if frac == 0:
        return str(whole)
    return f"{whole}.{str(frac).rjust(decimals, '0').rstrip('0')}"


def fmt_human(units, decimals, asset):
    """For the README: '12,345.5 USDT'."""
    whole, frac = divmod(units, 10**decimals)
    text = f"{whole:,}"
    if frac:
        text += "." + str(frac).rjust(decimals, "0").rstrip("0")
    return f"{text} {asset}"


# ---------------------------------------------------------------------------------------------------------
# Base58Check
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def sha256d(data):
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def b58encode(data):
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b58decode(text):
    n = 0
    for c in text:
        i = B58.find(c)
        if i < 0:
            raise ValueError(f"bad base58 character {c!r}")
        n = n * 58 + i
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def b58check_encode(payload):
    return b58encode(payload + sha256d(payload)[:4])


def b58check_decode(text):
    raw = b58decode(text)
    if len(raw) < 5:
        raise ValueError("too short")
    payload, checksum = raw[:-4], raw[-4:]
    if sha256d(payload)[:4] != checksum:
        raise ValueError("bad checksum")
    return payload


# ---------------------------------------------------------------------------------------------------------
# Bech32 (BIP-173), witness version 0 only
BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
BECH32_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def bech32_polymod(values):
    chk = 1
    for v in values:
        top = chk >> 25
        chk = ((chk & 0x1FFFFFF) << 5) ^ v
        for i in range(5):
            if (top >> i) & 1:
                chk ^= BECH32_GEN[i]
    return chk


def bech32_hrp_expand(hrp):
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def bech32_create_checksum(hrp, data):
    polymod = bech32_polymod(bech32_hrp_expand(hrp) + data + [0] * 6) ^ 1
    return [(polymod >> (5 * (5 - i))) & 31 for i in range(6)]


def convertbits(data, frombits, tobits, pad):
    acc, bits, out = 0, 0, []
    maxv = (1 << tobits) - 1
    for value in data:
        if value < 0 or value >> frombits:
            raise ValueError("value out of range")
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        raise ValueError("invalid padding")
    return out


def segwit_encode(hrp, witver, program):
    data = [witver] + convertbits(program, 8, 5, True)
    return hrp + "1" + "".join(BECH32_CHARSET[d] for d in data + bech32_create_checksum(hrp, data))


def segwit_decode(hrp, addr):
    """Returns (witness version, program bytes); raises ValueError. Bech32 (not bech32m): version 0 only."""
    if any(ord(c) < 33 or ord(c) > 126 for c in addr):
        raise ValueError("bad character")
    if addr.lower() != addr and addr.upper() != addr:
        raise ValueError("mixed case")
    addr = addr.lower()
    pos = addr.rfind("1")
    if pos < 1 or pos + 7 > len(addr) or len(addr) > 90:
        raise ValueError("bad separator position or length")
    if addr[:pos] != hrp:
        raise ValueError("wrong hrp")
    if any(c not in BECH32_CHARSET for c in addr[pos + 1:]):
        raise ValueError("bad data character")
    data = [BECH32_CHARSET.find(c) for c in addr[pos + 1:]]
    if bech32_polymod(bech32_hrp_expand(hrp) + data) != 1:
        raise ValueError("bad checksum")
    witver, program = data[0], bytes(convertbits(data[1:-6], 5, 8, False))
    if witver != 0 or len(program) not in (20, 32):
        raise ValueError("not a v0 witness program")
    return witver, program


# ---------------------------------------------------------------------------------------------------------
# Address validation (the generator's own decoder; every generated address goes through it)

def tron_payload(addr):
    if not addr.startswith("T"):
        raise ValueError("TRON address must start with T")
    payload = b58check_decode(addr)
    if len(payload) != 21 or payload[0] != 0x41:
        raise ValueError("not 0x41 + 20 bytes")
    return payload


def btc_kind(addr):
    """'p2wpkh', 'p2pkh' or 'p2sh' for a valid mainnet address; raises ValueError otherwise."""
    if addr.lower().startswith("bc1"):
        _, program = segwit_decode("bc", addr)
        if len(program) != 20:
            raise ValueError("not P2WPKH")
        return "p2wpkh"
    payload = b58check_decode(addr)
    if len(payload) != 21 or payload[0] not in (0x00, 0x05):
        raise ValueError("not mainnet P2PKH/P2SH")
    return "p2pkh" if payload[0] == 0x00 else "p2sh"


def is_valid(chain, addr):
    try:
        if chain == "tron":
            tron_payload(addr)
        elif chain == "btc":
            btc_kind(addr)
        elif chain == "generic":
            return bool(addr.strip()) and addr == addr.strip() and all(ord(c) >= 32 for c in addr)
        else:
            return False
        return True
    except ValueError:
        return False


def self_test():
    """Known vectors, so that the encoders are checked against the specifications, not only against themselves."""
    assert b58check_encode(b"\x00" + bytes(20)) == "1111111111111111111114oLvT2"
    assert b58check_encode(bytes.fromhex("0062e907b15cbf27d5425399ebf6f0fb50ebb88f18")) == \
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
    assert b58check_encode(b"\x41" + bytes(20)) == "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb"
    # BIP-173 test vector (upper-case input is valid; the encoder produces lower case).
    ver, prog = segwit_decode("bc", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4")
    assert (ver, prog.hex()) == (0, "751e76e8199196d454941c45d1b3a323f1433bd6")
    assert segwit_encode("bc", 0, prog) == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    for bad in ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3t4"):
        assert not is_valid("btc", bad), bad
    assert not is_valid("tron", "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwc")


# ---------------------------------------------------------------------------------------------------------
# Chain clocks

def tron_block(t):
    """First TRON block at or after t: (timestamp, height)."""
    assert t >= BASE
    slot = -(-(t - BASE) // TRON_BLOCK_SECONDS)
    return BASE + slot * TRON_BLOCK_SECONDS, TRON_HEIGHT_AT_BASE + slot


def btc_block_time(height):
    """Block timestamps 600 s apart with a deterministic jitter of +-200 s (so they stay strictly increasing)."""
    k = height - BTC_HEIGHT_AT_BASE
    jitter = int.from_bytes(hashlib.sha256(b"btc-block-%d" % height).digest()[:4], "big") % 401 - 200
    return BASE + k * BTC_BLOCK_SECONDS + jitter


def btc_block(t):
    """First Bitcoin block with a timestamp at or after t: (timestamp, height)."""
    h = BTC_HEIGHT_AT_BASE + (t - BASE) // BTC_BLOCK_SECONDS - 1
    while btc_block_time(h) < t:
        h += 1
    while btc_block_time(h - 1) >= t:
        h -= 1
    return btc_block_time(h), h


# ---------------------------------------------------------------------------------------------------------
# Generation

class Case:
    def __init__(self, rng):
        self.rng = rng
        self.rows = []
        self.addresses = set()
        self.hashes = set()

    def _bytes(self, n):
        return bytes(self.rng.getrandbits(8) for _ in range(n))

    def _fresh(self, make, check):
        while True:
            addr = make(self._bytes(20))
            check(addr)  # decode it again: raises on any encoding mistake
            if addr not in self.addresses:
                self.addresses.add(addr)
                return addr

    def tron_address(self):
        def check(a):
            assert tron_payload(a)[0] == 0x41 and len(a) == 34
        return self._fresh(lambda h: b58check_encode(b"\x41" + h), check)

    def btc_address(self, kind):
        make = {
            "p2pkh": lambda h: b58check_encode(b"\x00" + h),
            "p2sh": lambda h: b58check_encode(b"\x05" + h),
            "p2wpkh": lambda h: segwit_encode("bc", 0, h),
        }[kind]

        def check(a):
            assert btc_kind(a) == kind, (a, kind)
        return self._fresh(make, check)

    def btc_address_mixed(self):
        return self.btc_address(self.rng.choices(["p2wpkh", "p2pkh", "p2sh"], [5, 3, 2])[0])

    def tx_hash(self):
        while True:
            h = f"{self.rng.getrandbits(256):064x}"
            if h not in self.hashes:
                self.hashes.add(h)
                return h

    def tron(self, t, frm, to, units, asset="USDT"):
        """One TRC-20 (USDT) or native TRX transfer in the first block at or after t; returns its timestamp."""
        ts, height = tron_block(t)
        self.rows.append(dict(chain="tron", tx_hash=self.tx_hash(), timestamp=ts, frm=frm, to=to, asset=asset,
                              units=units, block_height=height, index=0))
        return ts

    def btc(self, t, frm, outputs):
        """One Bitcoin transaction spending coins of `frm`, paying [(address, sats)] as outputs 0, 1, ..."""
        ts, height = btc_block(t)
        txh = self.tx_hash()
        for i, (to, sats) in enumerate(outputs):
            self.rows.append(dict(chain="btc", tx_hash=txh, timestamp=ts, frm=frm, to=to, asset="BTC", units=sats,
                                  block_height=height, index=i))
        return ts

    def generic(self, t, frm, to, cents):
        self.rows.append(dict(chain="generic", tx_hash=self.tx_hash(), timestamp=t, frm=frm, to=to, asset="USD",
                              units=cents, block_height=None, index=0))
        return t

    def balance(self, chain, addr, asset, before):
        """Balance of addr from rows with timestamp < before (fees on BTC are implicit, so this is an upper bound)."""
        bal = 0
        for r in self.rows:
            if r["chain"] == chain and r["asset"] == asset and r["timestamp"] < before:
                if r["to"] == addr:
                    bal += r["units"]
                if r["frm"] == addr:
                    bal -= r["units"]
        return bal


def usdt(whole, cents=0):
    return whole * USDT + cents * (USDT // 100)


def build(rng):
    case = Case(rng)
    R = {}           # role -> address or list of addresses
    exogenous = set()  # wallets whose funds come from outside the data (buyers, exchange float, unrelated users)

    def uniform_time(t0, t1):
        return rng.randint(t0, t1)

    # ---- TRON cast -------------------------------------------------------------------------------------
    S = case.tron_address()
    B = case.tron_address()
    X = case.tron_address()
    F = case.tron_address()
    O = case.tron_address()
    FF = case.tron_address()
    H = case.tron_address()
    mules = [case.tron_address() for _ in range(12)]
    C = [case.tron_address() for _ in range(3)]
    D = [case.tron_address() for _ in range(3)]
    E_early = case.tron_address()
    E_next = case.tron_address()
    M_late = case.tron_address()
    M_late_funder = case.tron_address()
    Q = case.tron_address()
    exogenous |= {H, M_late_funder}

    # ---- Before the sales: the decoys' first moves ----------------------------------------------------
    # B withdraws working capital from the exchange and pays E_early before any money arrives from S.
    t_prefund = case.tron(day(1, 10, 31, 7), H, B, usdt(2500))
    t_fund_ff = case.tron(day(2, 9, 12, 40), H, FF, 800 * USDT, "TRX")
    t_e_early = case.tron(day(2, 16, 44, 21), B, E_early, usdt(2000))
    # The late mule: funded by an unrelated wallet, makes its only outflow on day 7.
    t_ml_in = case.tron(day(6, 11, 2, 9), M_late_funder, M_late, usdt(1250))
    t_ml_fee = case.tron(day(6, 13, 27, 51), FF, M_late, 15 * USDT, "TRX")
    t_ml_out = case.tron(day(7, 9, 35, 3), M_late, Q, usdt(1240))
    assert t_prefund < t_e_early and t_fund_ff < t_ml_fee < t_ml_out and t_ml_in < t_ml_out

    # ---- Buyers pay the seller S in USDT --------------------------------------------------------------
    prices = [50, 75, 99, 120, 150, 199, 250, 300, 350, 400, 450, 500, 600, 750, 800, 900, 1000, 1200, 1500,
              1800, 2000]
    sales_start, sales_end = day(4, 6), day(29, 20)  # 2024-02-05 06:00 .. 2024-03-01 20:00
    buyers_tron = [case.tron_address() for _ in range(70)]
    exogenous |= set(buyers_tron)
    for buyer in buyers_tron:
        n = rng.choices([1, 2, 3, 4], [60, 25, 10, 5])[0]
        for t in sorted(uniform_time(sales_start, sales_end) for _ in range(n)):
            price = rng.choice(prices)
            cents = rng.choice([0] * 8 + [50, 99])  # a few pay an odd amount
            if cents and price == 2000:
                cents = 0
            case.tron(t, buyer, S, usdt(price, cents) if cents < 99 else usdt(price - 1, 99))

    # ---- S -> B in batches; B -> F (commission) and B -> X --------------------------------------------
    batch_times = [day(11, 21, 14, 5), day(18, 22, 3, 41), day(25, 20, 41, 12), day(30, 19, 27, 30)]
    batches = []
    for tb in batch_times:
        bal = case.balance("tron", S, "USDT", tb)
        amount = (bal * 90 // 100) // (10 * USDT) * (10 * USDT)  # forwards ~90%, round tens
        batches.append((case.tron(tb, S, B, amount), amount))
    to_x, to_f = [], []
    for i, (tb, amount) in enumerate(batches):
        commission = amount * 5 // 100
        tf = case.tron(tb + rng.randint(40 * MINUTE, 3 * HOUR), B, F, commission)
        tx = case.tron(tf + rng.randint(3 * HOUR, 18 * HOUR), B, X, amount - commission)
        to_f.append((tf, commission))
        to_x.append((tx, amount - commission))
    # E_early passes its money on later (only a trace that ignores time order would follow it here).
    case.tron(day(19, 8, 12, 55), E_early, E_next, usdt(1990))
    # F forwards to the organiser O twice.
    for k in (1, 3):
        t = to_f[k][0] + rng.randint(20 * HOUR, 40 * HOUR)
        case.tron(t, F, O, case.balance("tron", F, "USDT", t))

    # ---- X splits into structured amounts across the mules --------------------------------------------
    def structured_chunk(remaining):
        kinds = rng.choices(["big", "mid", "small", "other"], [20, 15, 50, 15])[0]
        menu = {
            "big": [usdt(v) for v in (9990, 9980, 9950, 9900, 9850)] + [usdt(9975, 50)],
            "mid": [usdt(v) for v in (4990, 4980, 4950, 4900)],
            "small": [usdt(v) for v in (999, 998, 995, 990, 985, 980, 975)] + [usdt(998, 50)],
            "other": [usdt(v) for v in range(1500, 3001, 50)],
        }[kinds]
        fitting = [v for v in menu if v <= remaining]
        if not fitting:
            fitting = [v for v in (usdt(999), usdt(995), usdt(990), usdt(980)) if v <= remaining]
        return rng.choice(fitting) if fitting else None

    mule_order = []
    chunks = []  # (time, mule, units)
    late_mule_done = False
    for phase, (tx, amount) in enumerate(to_x):
        remaining = amount * 985 // 1000  # the desk keeps 1.5% (and the tail below 980)
        times = []
        while True:
            chunk = structured_chunk(remaining)
            if chunk is None:
                break
            remaining -= chunk
            times.append(chunk)
        offsets = sorted(rng.randint(25 * MINUTE, 40 * HOUR) for _ in times)
        for off, chunk in zip(offsets, times):
            if phase == 1 and not late_mule_done and chunk < usdt(1000):
                target = M_late
                late_mule_done = True
            else:
                if not mule_order:
                    mule_order = mules[:]
                    rng.shuffle(mule_order)
                target = mule_order.pop()
            t = case.tron(tx + off, X, target, chunk)
            chunks.append((t, target, chunk))
    assert late_mule_done
    assert all(any(m == target for _, target, _ in chunks) for m in mules), "every mule must get money from X"

    # ---- Fee funding and mule -> consolidator forwarding ---------------------------------------------
    home = {}
    order = mules[:]
    rng.shuffle(order)
    for i, m in enumerate(order):
        home[m] = C[i % 3]
    splitters = set(order[:3])  # these split their last forward across two consolidators
    mule_forwards = []
    for m in mules:
        receipts = sorted((t, u) for t, target, u in chunks if target == m)
        forwards = []
        i = 0
        while i < len(receipts):
            t_send = receipts[i][0] + rng.randint(2 * HOUR, 36 * HOUR)
            while i < len(receipts) and receipts[i][0] < t_send:
                i += 1
            forwards.append(t_send)
        first_in, first_out = receipts[0][0], forwards[0]
        if rng.random() < 0.5:
            t_fee = first_in - rng.randint(2 * HOUR, 30 * HOUR)
        else:
            t_fee = first_in + (first_out - first_in) * rng.randint(15, 80) // 100
        t_fee = max(t_fee, t_fund_ff + HOUR)
        case.tron(t_fee, FF, m, rng.choice([15, 15, 15, 20, 30]) * USDT, "TRX")
        for j, t_send in enumerate(forwards):
            bal = case.balance("tron", m, "USDT", t_send)
            assert bal > 0
            if m in splitters and j == len(forwards) - 1:
                other = rng.choice([c for c in C if c != home[m]])
                part = bal * rng.randint(55, 70) // 100 // USDT * USDT
                t1 = case.tron(t_send, m, home[m], part)
                t2 = case.tron(t1 + rng.randint(4 * MINUTE, 40 * MINUTE), m, other, bal - part)
                mule_forwards += [(t1, home[m]), (t2, other)]
            else:
                t1 = case.tron(t_send, m, home[m], bal)
                mule_forwards.append((t1, home[m]))

    # ---- Consolidators cash out at exchange deposit addresses; the exchange sweeps to its hot wallet ---
    deposits = []  # (time, deposit address, units)
    for k, c in enumerate(C):
        ins = sorted(t for t, to in mule_forwards if to == c)
        assert ins
        t_mid = day(24, 12) + rng.randint(0, 8 * HOUR)
        t_final = ins[-1] + rng.randint(4 * HOUR, 30 * HOUR)
        t_fee = ins[0] + rng.randint(10 * MINUTE, 2 * HOUR)
        case.tron(min(t_fee, t_mid - HOUR), FF, c, 25 * USDT, "TRX")
        for t in ([t_mid] if ins[0] < t_mid < ins[-1] else []) + [t_final]:
            bal = case.balance("tron", c, "USDT", t)
            if bal > 0:
                td = case.tron(t, c, D[k], bal)
                deposits.append((td, D[k], bal))
    sweeps = []
    for td, d, units in deposits:
        ts = case.tron(td + rng.randint(5 * MINUTE, 50 * MINUTE), d, H, units)
        sweeps.append((ts, units))

    # ---- The exchange hot wallet's unrelated traffic (deposit sweeps and withdrawals) -----------------
    window = (day(0, 1), day(37, 20))
    exchange_users, exchange_deposits = [], []
    for _ in range(26):
        user, dep = case.tron_address(), case.tron_address()
        exchange_users.append(user)
        exchange_deposits.append(dep)
        for t in sorted(uniform_time(*window) for _ in range(rng.choice([1, 1, 2]))):
            if rng.random() < 0.8:
                units, asset = usdt(rng.choice([60, 100, 250, 500, 1000, 2500, 5000, 12000, 20000])
                                    + rng.randint(0, 500), rng.choice([0, 0, 0, 25, 50])), "USDT"
            else:
                units, asset = rng.randint(100, 5000) * USDT, "TRX"
            t1 = case.tron(t, user, dep, units, asset)
            case.tron(t1 + rng.randint(5 * MINUTE, 60 * MINUTE), dep, H, units, asset)
    exogenous |= set(exchange_users)

    noise_pool = [case.tron_address() for _ in range(16)]
    withdrawal_users = []
    for i in range(25):
        if i < 10:  # funds the unrelated wallets that then trade among themselves
            to = noise_pool[i]
            t = uniform_time(day(0, 2), day(5))
            units, asset = usdt(rng.choice([800, 1500, 3000, 5000, 8000]) + rng.randint(0, 300)), "USDT"
        else:
            to = case.tron_address()
            withdrawal_users.append(to)
            t = uniform_time(*window)
            if rng.random() < 0.75:
                units, asset = usdt(rng.randint(40, 15000)), "USDT"
            else:
                units, asset = rng.randint(200, 5000) * USDT, "TRX"
        case.tron(t, H, to, units, asset)

    # Unrelated wallets paying each other (balance-respecting, chronological).
    bal = {w: case.balance("tron", w, "USDT", day(5, 1)) for w in noise_pool}
    for t in sorted(uniform_time(day(5, 2), day(37, 22)) for _ in range(38)):
        payers = [w for w in noise_pool if bal[w] >= usdt(30)]
        payer = rng.choice(payers)
        payee = rng.choice([w for w in noise_pool if w != payer])
        units = bal[payer] * rng.randint(10, 70) // 100
        units = units // USDT * USDT if rng.random() < 0.6 else units // (USDT // 100) * (USDT // 100)
        case.tron(t, payer, payee, units)
        bal[payer] -= units
        bal[payee] += units

    # ---- BTC side -------------------------------------------------------------------------------------
    SB = case.btc_address("p2wpkh")
    BB = case.btc_address("p2pkh")
    DB = case.btc_address("p2sh")
    HB = case.btc_address("p2wpkh")
    exogenous.add(HB)

    def btc_rate(t):  # USD per BTC, rising through February 2024 (approximate)
        return 42_500 + (t - day(4)) * 21_000 // (29 * DAY)

    buyers_btc = [case.btc_address_mixed() for _ in range(24)]
    exogenous |= set(buyers_btc)
    buyer_change = []
    for buyer in buyers_btc:
        n = rng.choices([1, 2, 3], [60, 30, 10])[0]
        for t in sorted(uniform_time(day(5, 3), day(29, 12)) for _ in range(n)):
            sats = rng.choice(prices) * SAT // btc_rate(t)
            sats = min(max(sats, 100_000 + rng.randint(0, 9_999)), 5_000_000)
            if rng.random() < 0.5:
                kind = btc_kind(buyer)
                change = case.btc_address(kind)
                buyer_change.append(change)
                outs = [(SB, sats), (change, rng.randint(100_000, 30_000_000))]
                rng.shuffle(outs)
                case.btc(t, buyer, outs)
            else:
                case.btc(t, buyer, [(SB, sats)])
    exogenous |= set(buyer_change)

    sb_sweeps = []
    for t in (day(17, 14, 5), day(30, 16, 20)):
        bal_sb = case.balance("btc", SB, "BTC", t)
        sb_sweeps.append(case.btc(t, SB, [(BB, bal_sb - rng.randint(2_000, 6_000))]))

    # Peel chain: each hop pays a small amount to a fresh address and sends the change onward.
    peel_change, peel_payments = [], []
    holder, t = BB, sb_sweeps[-1] + rng.randint(14 * HOUR, 20 * HOUR)
    for hop in range(6):
        bal_h = case.balance("btc", holder, "BTC", t)
        pay = rng.randint(400_000, 2_200_000)
        fee = rng.randint(1_500, 5_000)
        pay_to, change_to = case.btc_address_mixed(), case.btc_address_mixed()
        outs = [(pay_to, pay), (change_to, bal_h - pay - fee)]
        rng.shuffle(outs)
        ts = case.btc(t, holder, outs)
        peel_payments.append(pay_to)
        peel_change.append(change_to)
        holder, t = change_to, ts + rng.randint(90 * MINUTE, 8 * HOUR)
    ts = case.btc(t, holder, [(DB, case.balance("btc", holder, "BTC", t) - rng.randint(1_500, 4_000))])
    btc_deposit_units = case.balance("btc", DB, "BTC", ts + 1)
    t_db_sweep = case.btc(ts + rng.randint(40 * MINUTE, 3 * HOUR), DB, [(HB, btc_deposit_units - 3_000)])

    # BTC noise: unrelated exchange deposits, withdrawals, and a few unrelated payments.
    btc_users = []
    for _ in range(6):
        user, dep = case.btc_address_mixed(), case.btc_address("p2sh")
        btc_users.append(user)
        t = uniform_time(*window)
        sats = rng.randint(200_000, 80_000_000)
        t1 = case.btc(t, user, [(dep, sats)])
        case.btc(t1 + rng.randint(1 * HOUR, 12 * HOUR), dep, [(HB, sats - rng.randint(1_000, 4_000))])
    exogenous |= set(btc_users)
    btc_noise = [case.btc_address_mixed() for _ in range(5)]
    for i in range(4):
        case.btc(uniform_time(*window), HB, [(rng.choice(btc_noise[:2]) if i < 2 else case.btc_address_mixed(),
                                              rng.randint(1_000_000, 40_000_000))])
    for t in sorted(uniform_time(day(20), day(37)) for _ in range(3)):
        payers = [a for a in btc_noise if case.balance("btc", a, "BTC", t) > 500_000]
        if not payers:
            continue
        payer = rng.choice(payers)
        bal_p = case.balance("btc", payer, "BTC", t)
        pay = bal_p * rng.randint(20, 60) // 100
        payee = rng.choice([a for a in btc_noise if a != payer])
        change = case.btc_address_mixed()
        case.btc(t, payer, [(payee, pay), (change, bal_p - pay - rng.randint(1_500, 4_000))])

    # ---- The exchange's own export (off-chain ledger, chain "generic") -----------------------------------
    account, market = "acct:EXCH-4471", "acct:EXCH-MARKET"
    banks = ["bank:DEMO-IBAN-0001", "bank:DEMO-IBAN-0002"]
    exogenous.add(market)
    credited = 0
    for ts_sweep, units in sweeps:
        cents = units * 999 // 1000 // (USDT // 100)  # USDT sold 1:1 for USD, 0.1% exchange fee
        case.generic(ts_sweep + rng.randint(15 * MINUTE, 2 * HOUR), market, account, cents)
        credited += cents
    btc_usd_cents = (btc_deposit_units - 3_000) * btc_rate(t_db_sweep) * 100 * 999 // 1000 // SAT
    t_last = case.generic(t_db_sweep + rng.randint(20 * MINUTE, 2 * HOUR), market, account, btc_usd_cents)
    credited += btc_usd_cents
    t_last = max(t_last, max(ts for ts, _ in sweeps)) + 6 * HOUR
    shares = [45, 35, 17]
    for i, share in enumerate(shares):
        cents = credited * share // 100 // 10_000 * 10_000  # round hundreds of USD
        t_last = case.generic(t_last + rng.randint(3 * HOUR, 20 * HOUR), account, banks[i % 2], cents)

    R.update({
        "seller_tron": S, "seller_btc": SB, "broker_tron": B, "broker_btc": BB, "exchanger": X,
        "mules": mules, "consolidators": C, "deposit_addresses": D, "hot_wallet": H,
        "commission_wallet": F, "organiser": O, "fee_funder": FF,
        "decoy_early_payee": E_early, "decoy_early_payee_onward": E_next,
        "decoy_late_mule": M_late, "decoy_late_mule_funder": M_late_funder,
        "decoy_late_mule_prior_recipient": Q,
        "btc_peel_change": peel_change, "btc_peel_payments": peel_payments,
        "btc_deposit_address": DB, "btc_hot_wallet": HB,
        "buyers_tron": buyers_tron, "buyers_btc": buyers_btc,
        "noise_tron": noise_pool, "exchange_account": account, "bank_accounts": banks,
    })
    facts = dict(home=home, splitters=sorted(splitters), batches=batches, to_x=to_x, to_f=to_f,
                 chunks=chunks, deposits=deposits, sb_sweeps=sb_sweeps, credited=credited,
                 t_prefund=t_prefund, t_e_early=t_e_early, t_ml_out=t_ml_out)
    return case, R, exogenous, facts


# ---------------------------------------------------------------------------------------------------------
# Output

def write_csv(path, rows):
    chain_order = {"tron": 0, "btc": 1, "generic": 2}
    rows = sorted(rows, key=lambda r: (r["timestamp"], chain_order[r["chain"]], r["tx_hash"], r["index"]))
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        for r in rows:
            dec = DECIMALS[(r["chain"], r["asset"])]
            w.writerow([r["chain"], r["tx_hash"], iso(r["timestamp"]), r["frm"], r["to"], r["asset"],
                        fmt_amount(r["units"], dec), "" if r["block_height"] is None else r["block_height"],
                        r["index"], dec if r["chain"] == "generic" else ""])
    return len(rows)


def read_units(text, decimals):
    assert re.fullmatch(r"(0|[1-9][0-9]*)(\.[0-9]*[1-9])?", text), text
    whole, _, frac = text.partition(".")
    assert len(frac) <= decimals, text
    return int(whole) * 10**decimals + int(frac.ljust(decimals, "0") or "0")


def reach(edges, seed, hops):
    """Time-respecting forward reach: earliest arrival per address using at most `hops` transfers, following
    only transfers strictly later than the arrival of the money at their sender (the seed: any time)."""
    arrival = {seed: float("-inf")}
    for _ in range(hops):
        nxt = dict(arrival)
        for frm, to, t in edges:
            if frm in arrival and t > arrival[frm] and t < nxt.get(to, float("inf")):
                nxt[to] = t
        if nxt == arrival:
            break
        arrival = nxt
    return arrival


def verify(csv_path, R, exogenous):
    with open(csv_path, newline="", encoding="utf-8") as f:
        table = list(csv.reader(f))
    assert table[0] == HEADER, table[0]
    rows = []
    seen = set()
    txmeta = {}
    for line, rec in enumerate(table[1:], start=2):
        assert len(rec) == len(HEADER), (line, rec)
        r = dict(zip(HEADER, rec))
        chain = r["chain"]
        assert chain in ("tron", "btc", "generic"), line
        assert re.fullmatch(r"[0-9a-f]{64}", r["tx_hash"]), line
        ts = parse_iso(r["timestamp"])
        assert iso(ts) == r["timestamp"]
        for side in ("from", "to"):
            assert is_valid(chain, r[side]), (line, r[side])
        assert r["from"] != r["to"], line
        dec = DECIMALS[(chain, r["asset"])]
        units = read_units(r["amount"], dec)
        assert units > 0
        index = int(r["index"])
        key = (chain, r["tx_hash"], index)
        assert key not in seen, key
        seen.add(key)
        if chain == "generic":
            assert r["decimals"] == str(dec) and r["block_height"] == ""
        else:
            assert r["decimals"] == "" and index >= 0
            height = int(r["block_height"])
            if chain == "tron":
                assert (ts - BASE) % TRON_BLOCK_SECONDS == 0
                assert height == TRON_HEIGHT_AT_BASE + (ts - BASE) // TRON_BLOCK_SECONDS, line
            else:
                assert btc_block_time(height) == ts, line
                assert 800_000 < height < 900_000
        meta = (ts, r["block_height"], r["from"])
        assert txmeta.setdefault((chain, r["tx_hash"]), meta) == meta, line  # one tx: one time, block, sender
        rows.append(dict(chain=chain, ts=ts, frm=r["from"], to=r["to"], asset=r["asset"], units=units, index=index))
    # indexes of one transaction are 0..n-1
    per_tx = {}
    for chain, txh, i in seen:
        per_tx.setdefault((chain, txh), []).append(i)
    assert all(sorted(v) == list(range(len(v))) for v in per_tx.values())
    assert 300 <= len(rows) <= 600, len(rows)

    # Balances never negative for wallets whose money is all in the data (BTC fees are implicit).
    rows.sort(key=lambda r: r["ts"])
    bal = {}
    for r in rows:
        kf, kt = (r["chain"], r["asset"], r["frm"]), (r["chain"], r["asset"], r["to"])
        bal[kf] = bal.get(kf, 0) - r["units"]
        bal[kt] = bal.get(kt, 0) + r["units"]
        if r["frm"] not in exogenous:
            assert bal[kf] >= 0, ("overdrawn", r)
    # No transfer of one sender at the same second as money arriving to it (strict order is unambiguous).
    times_in = {}
    for r in rows:
        times_in.setdefault((r["chain"], r["to"]), set()).add(r["ts"])
    for r in rows:
        if r["frm"] not in exogenous:
            assert r["ts"] not in times_in.get((r["chain"], r["frm"]), ()), r

    tron_edges = [(r["frm"], r["to"], r["ts"]) for r in rows if r["chain"] == "tron"]
    btc_edges = [(r["frm"], r["to"], r["ts"]) for r in rows if r["chain"] == "btc"]
    story = {R["seller_tron"], R["broker_tron"], R["commission_wallet"], R["organiser"], R["exchanger"],
             *R["mules"], R["decoy_late_mule"], *R["consolidators"], *R["deposit_addresses"], R["hot_wallet"]}
    six = reach(tron_edges, R["seller_tron"], 6)
    assert set(six) == story, set(six) ^ story
    everything = reach(tron_edges, R["seller_tron"], 10_000)
    decoys = {R["decoy_early_payee"], R["decoy_early_payee_onward"], R["decoy_late_mule_prior_recipient"],
              R["decoy_late_mule_funder"], R["fee_funder"]}
    assert not decoys & set(everything), decoys & set(everything)
    # ... whereas ignoring time would reach the decoys E_early, E_next and Q.
    untimed = {R["seller_tron"]}
    for _ in range(10):
        untimed |= {to for frm, to, _ in tron_edges if frm in untimed}
    assert {R["decoy_early_payee"], R["decoy_early_payee_onward"], R["decoy_late_mule_prior_recipient"]} <= untimed

    btc_story = {R["seller_btc"], R["broker_btc"], *R["btc_peel_change"], *R["btc_peel_payments"],
                 R["btc_deposit_address"], R["btc_hot_wallet"]}
    nine = reach(btc_edges, R["seller_btc"], 9)
    assert set(nine) == btc_story, set(nine) ^ btc_story
    assert R["btc_hot_wallet"] not in reach(btc_edges, R["seller_btc"], 8)

    # B and O never transact directly; B -> F -> O in time order.
    B, O, F = R["broker_tron"], R["organiser"], R["commission_wallet"]
    assert not any({frm, to} == {B, O} for frm, to, _ in tron_edges)
    assert O in reach(tron_edges, B, 2) and O not in reach(tron_edges, B, 1)
    # Every mule got TRX from the fee funder before its first USDT outflow.
    for m in R["mules"] + [R["decoy_late_mule"]]:
        first_trx = min(r["ts"] for r in rows if r["to"] == m and r["asset"] == "TRX" and r["frm"] == R["fee_funder"])
        first_out = min(r["ts"] for r in rows if r["frm"] == m and r["asset"] == "USDT")
        assert first_trx < first_out, m
    # The hot wallet is a hub.
    h_rows = [r for r in rows if R["hot_wallet"] in (r["frm"], r["to"])]
    unrelated = [r for r in h_rows if not ({r["frm"], r["to"]} - {R["hot_wallet"]}) <= story | {B, R["fee_funder"]}]
    assert len(unrelated) >= 50, len(unrelated)
    return dict(rows=len(rows), six=six, nine=nine, hot_rows=len(h_rows), hot_unrelated=len(unrelated),
                by_chain={c: sum(1 for r in rows if r["chain"] == c) for c in ("tron", "btc", "generic")})


# ---------------------------------------------------------------------------------------------------------
# README

def write_readme(path, R, facts, stats):
    d = lambda t: iso(t)[:10]
    u = lambda units: fmt_human(units, 6, "USDT")
    batches, to_x, to_f, chunks = facts["batches"], facts["to_x"], facts["to_f"], facts["chunks"]
    mules = R["mules"]
    n_chunks = sum(1 for _, target, _ in chunks if target in mules)
    under_1k = sum(1 for _, target, v in chunks if v < usdt(1000))
    under_10k = sum(1 for _, target, v in chunks if usdt(9000) <= v < usdt(10000))
    S, SB, B, BB, X, F, O = (R[k] for k in ("seller_tron", "seller_btc", "broker_tron", "broker_btc", "exchanger",
                                            "commission_wallet", "organiser"))
    lines = [
        "# Demo case: the data shop",
        "",
        "Synthetic data for trying fundtrail offline. Every address is random bytes wrapped in a valid checksum;",
        "any resemblance to a real wallet is accidental. All of `transfers.csv`, `roles.json` and this file are",
        "written by `python3 tools/demo/make_demo_case.py` (fixed seed and base date: the output is identical on",
        "every run). Change the story there, not here.",
        "",
        "## The story",
        "",
        "A seller of stolen personal data (\"fullz\", database dumps) takes payment in USDT on TRON at **S** and",
        f"in BTC at **SB**, from {len(R['buyers_tron'])} TRON and {len(R['buyers_btc'])} Bitcoin buyer wallets "
        f"(some pay more than once), {d(day(4))} to {d(day(29))}.",
        "",
        f"* **TRON.** S forwards about 90% of its takings to the broker **B** in {len(batches)} batches",
        f"  ({', '.join(d(t) for t, _ in batches)}; {u(sum(a for _, a in batches))} in all). B keeps 5%",
        "  as commission, paid to **F**, which passes it on to the organiser **O**: O never deals with B",
        f"  directly. B pays the rest ({u(sum(a for _, a in to_x))}) to the OTC desk **X**.",
        f"* X keeps 1.5% and splits the rest into {n_chunks} structured payments to {len(mules)} fresh mule",
        f"  wallets ({under_1k} just under 1,000 USDT, {under_10k} just under 10,000). Each mule receives 15-30 TRX",
        "  for fees from the fee funder **FF** before it moves USDT, then forwards to one of the consolidators",
        "  **C1-C3** (three mules split their last forward across two). The consolidators cash out at deposit",
        "  addresses **D1-D3** of one exchange, which sweeps them into its hot wallet **H**. H also serves dozens",
        "  of unrelated customers (deposit sweeps and withdrawals): it is a hub, not a suspect.",
        "* **Bitcoin.** SB sweeps twice to the broker's address **BB**. BB then runs a peel chain: six",
        "  transactions with one input address and two outputs (a small payment to a fresh address, the large",
        "  change onward); the last change address pays the exchange deposit address **DB**, swept to **HB**.",
        "* **The exchange's export** (chain `generic`, USD): deposits on D1-D3 and DB are credited to account",
        f"  `{R['exchange_account']}`, which withdraws to `{R['bank_accounts'][0]}` and `{R['bank_accounts'][1]}`.",
        "",
        "Decoys that a trace respecting time order must not follow:",
        "",
        f"* B paid **E_early** 2,000 USDT on {d(facts['t_e_early'])}, *before* its first money from S",
        f"  ({d(batches[0][0])}); that came from B's exchange withdrawal (H -> B, {d(facts['t_prefund'])}).",
        "  E_early later passes 1,990 USDT on to **E_next**.",
        f"* The late mule **ML** made its only outflow (1,240 USDT to **Q**, {d(facts['t_ml_out'])}) with money",
        "  from an unrelated wallet, and only afterwards received a payment from X. A trace reaches ML but must",
        "  stop there.",
        "",
        "## Roles",
        "",
        "| Role | Chain | Address |",
        "|---|---|---|",
        f"| S - seller | tron | `{S}` |",
        f"| SB - seller | btc | `{SB}` |",
        f"| B - broker | tron | `{B}` |",
        f"| BB - broker | btc | `{BB}` |",
        f"| X - OTC desk / exchanger | tron | `{X}` |",
    ]
    for i, m in enumerate(mules, 1):
        lines.append(f"| M{i} - mule (-> {'C%d' % (R['consolidators'].index(facts['home'][m]) + 1)}"
                     f"{', split' if m in facts['splitters'] else ''}) | tron | `{m}` |")
    for i, c in enumerate(R["consolidators"], 1):
        lines.append(f"| C{i} - consolidator | tron | `{c}` |")
    for i, dd in enumerate(R["deposit_addresses"], 1):
        lines.append(f"| D{i} - exchange deposit address | tron | `{dd}` |")
    lines += [
        f"| H - exchange hot wallet (hub) | tron | `{R['hot_wallet']}` |",
        f"| F - commission wallet | tron | `{F}` |",
        f"| O - organiser | tron | `{O}` |",
        f"| FF - fee (TRX) funder | tron | `{R['fee_funder']}` |",
        f"| E_early - decoy, paid before B's first inflow | tron | `{R['decoy_early_payee']}` |",
        f"| E_next - decoy, E_early's payee | tron | `{R['decoy_early_payee_onward']}` |",
        f"| ML - decoy late mule | tron | `{R['decoy_late_mule']}` |",
        f"| Q - decoy, ML's only payee (before ML's X money) | tron | `{R['decoy_late_mule_prior_recipient']}` |",
        f"| DB - exchange deposit address | btc | `{R['btc_deposit_address']}` |",
        f"| HB - exchange hot wallet | btc | `{R['btc_hot_wallet']}` |",
        "",
        "Buyers, peel-chain addresses and the unrelated wallets are listed in `roles.json`.",
        "",
        "## What a correct trace shows",
        "",
        "```sh",
        "fundtrail import data/demo/transfers.csv",
        f"fundtrail trace {S} --hops 6",
        f"fundtrail trace {SB} --hops 9",
        f"fundtrail path {B} {O}",
        f"fundtrail address {X}",
        f"fundtrail address {R['hot_wallet']}",
        "```",
        "",
        f"* `trace S --hops 6` reaches exactly {len(stats['six'])} addresses, S included: S -> B -> X -> M1-M12",
        "  and ML -> C1-C3 -> D1-D3 -> H (six hops), plus B -> F -> O. It must **not** contain E_early, E_next",
        "  or Q (nor FF, which only pays into the mules); a trace that ignores time order wrongly adds all three.",
        "* `trace SB --hops 9`: SB -> BB -> six peel hops (each: payment + change) -> DB -> HB.",
        "* `path B O`: B -> F -> O (two hops; no direct B-O transfer exists).",
        "* `address X`: four inflows from B, structured outflows to the mules and to ML.",
        f"* `address H`: {stats['hot_rows']} transfers, {stats['hot_unrelated']} of them with unrelated wallets:",
        "  following money out of H means nothing without the exchange's records.",
        "",
        "Questions for the investigator: who controls F and O? Do FF's TRX payments tie the mules (and C1-C3)",
        f"to one operator? What does the exchange know about `{R['exchange_account']}` and D1-D3, DB?",
        "",
        "## Files",
        "",
        f"* `transfers.csv`: {stats['rows']} transfers ({stats['by_chain']['tron']} tron, "
        f"{stats['by_chain']['btc']} btc, {stats['by_chain']['generic']} generic), header",
        f"  `{','.join(HEADER)}`;",
        "  `decimals` is set on the generic rows only.",
        "* `roles.json`: role name -> address (lists for mules, consolidators, buyers ...).",
        f"* Block heights follow the timestamps (TRON {TRON_HEIGHT_AT_BASE:,} at {iso(BASE)}, one block per 3 s;",
        f"  Bitcoin {BTC_HEIGHT_AT_BASE:,} at about the same time, one block per ~10 min): plausible, not real.",
    ]
    assert len(lines) <= 120, len(lines)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def main():
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=os.path.join(repo, "data", "demo"))
    args = ap.parse_args()
    self_test()
    rng = random.Random(SEED)
    case, R, exogenous, facts = build(rng)
    os.makedirs(args.out_dir, exist_ok=True)
    csv_path = os.path.join(args.out_dir, "transfers.csv")
    write_csv(csv_path, case.rows)
    stats = verify(csv_path, R, exogenous)
    with open(os.path.join(args.out_dir, "roles.json"), "w", encoding="utf-8") as f:
        json.dump(R, f, indent=2)
        f.write("\n")
    write_readme(os.path.join(args.out_dir, "README.md"), R, facts, stats)
    print(f"wrote {stats['rows']} transfers ({stats['by_chain']}) to {csv_path}")


if __name__ == "__main__":
    sys.exit(main())
