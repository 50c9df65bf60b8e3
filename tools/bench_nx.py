#!/usr/bin/python3
"""Baseline B of tools/bench: fundtrail's time-respecting forward trace written in Python over networkx.

Loads a transfer CSV (fundtrail's import format) into a networkx DiGraph whose edges carry the sorted list of
transfer times u->v, then runs the arr_k rounds of docs/trace-semantics.md (the same frontier algorithm as
src/graph/trace.cpp) from a seed wallet. Only the traversal is timed, not the loading.

Writes a JSON summary (--out) and, per hop count, the reached wallets as "address<TAB>hop<TAB>arrival" lines
(--nodes-prefix + "<hops>.tsv"; arrival empty for the seed) so that tools/bench can compare them with fundtrail.

Usage: bench_nx.py --csv FILE --seed ADDRESS --hops 3,6 --runs 3 --out FILE.json --nodes-prefix PREFIX
Uses Debian's python3-networkx (run with /usr/bin/python3).
"""
import argparse
import bisect
import calendar
import csv
import gc
import json
import statistics
import sys
import time

import networkx as nx

INF = float("inf")
NEG = float("-inf")


def make_time_parser():
    day_cache = {}

    def parse(text):
        if text.isdigit():
            return int(text)
        # YYYY-MM-DDTHH:MM:SSZ (what bench_gen writes); anything else through the slow path.
        if len(text) == 20 and text[10] == "T" and text[19] == "Z":
            day = text[:10]
            base = day_cache.get(day)
            if base is None:
                base = calendar.timegm(time.strptime(day, "%Y-%m-%d"))
                day_cache[day] = base
            return base + int(text[11:13]) * 3600 + int(text[14:16]) * 60 + int(text[17:19])
        from datetime import datetime

        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())

    return parse


def load(path):
    parse_time = make_time_parser()
    pairs = {}
    rows = 0
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        header = [name.strip() for name in next(reader)]
        col_from, col_to, col_ts = header.index("from"), header.index("to"), header.index("timestamp")
        intern = {}
        for row in reader:
            u = row[col_from]
            u = intern.setdefault(u, u)
            v = row[col_to]
            v = intern.setdefault(v, v)
            t = parse_time(row[col_ts])
            times = pairs.get((u, v))
            if times is None:
                pairs[(u, v)] = [t]
            else:
                times.append(t)
            rows += 1
    graph = nx.DiGraph()
    graph.add_edges_from((u, v, {"ts": sorted(times)}) for (u, v), times in pairs.items())
    return graph, rows


def trace_forward(graph, seed, hops):
    """Returns ({node: (hop, arrival)}, [(time, u, v)]): arr_N of every reached wallet and the result edges."""
    succ = graph.succ
    arrival = {seed: NEG}
    first_hop = {seed: 0}
    frontier = [seed]
    # Rounds 1..N-1: only wallets whose arrival improved in the previous round can improve others.
    for round_ in range(1, hops):
        if not frontier:
            break
        improved = {}
        for u in frontier:
            bound = arrival[u]
            for v, data in succ[u].items():
                times = data["ts"]
                i = bisect.bisect_left(times, bound)
                if i == len(times):
                    continue
                t = times[i]
                current = arrival.get(v, INF)
                if t >= current:
                    continue
                if t < improved.get(v, INF):
                    improved[v] = t
        frontier = []
        for v, t in improved.items():
            if v not in arrival:
                first_hop[v] = round_
            arrival[v] = t
            frontier.append(v)
    # Round N: every usable transfer of every wallet reached by round N-1 is a result edge.
    final = dict(arrival)
    edges = []
    for u, bound in arrival.items():
        for v, data in succ[u].items():
            times = data["ts"]
            i = bisect.bisect_left(times, bound)
            if i == len(times):
                continue
            edges.extend((t, u, v) for t in times[i:])
            t = times[i]
            if v not in final:
                final[v] = t
                first_hop[v] = hops
            elif t < final[v]:
                final[v] = t
    edges.sort()
    return {node: (first_hop[node], final[node]) for node in final}, edges


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--csv", required=True)
    parser.add_argument("--seed", required=True)
    parser.add_argument("--hops", default="3,6")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", required=True)
    parser.add_argument("--nodes-prefix", required=True)
    args = parser.parse_args()

    start = time.perf_counter()
    graph, rows = load(args.csv)
    load_seconds = time.perf_counter() - start
    gc.collect()
    gc.freeze()  # the loaded graph is permanent: keep the collector from rescanning it during traversals
    print(f"bench_nx: loaded {rows} transfers, {graph.number_of_nodes()} wallets, {graph.number_of_edges()} "
          f"wallet pairs in {load_seconds:.1f} s", file=sys.stderr)
    if args.seed not in graph:
        sys.exit(f"bench_nx: seed {args.seed} is not in the graph")

    result = {"networkx_version": nx.__version__, "python": sys.version.split()[0], "rows": rows,
              "wallets": graph.number_of_nodes(), "wallet_pairs": graph.number_of_edges(),
              "load_seconds": load_seconds, "traces": {}}
    for hops in [int(h) for h in args.hops.split(",") if h]:
        times = []
        nodes = edges = None
        for _ in range(max(1, args.runs)):
            start = time.perf_counter()
            nodes, edges = trace_forward(graph, args.seed, hops)
            times.append(time.perf_counter() - start)
            if times[-1] > 120:  # slow enough that repeating adds nothing but time
                break
        with open(f"{args.nodes_prefix}{hops}.tsv", "w") as out:
            for node, (hop, arrival) in nodes.items():
                out.write(f"{node}\t{hop}\t{'' if arrival == NEG else arrival}\n")
        result["traces"][str(hops)] = {"seconds": times, "median_seconds": statistics.median(times),
                                       "nodes": len(nodes), "edges": len(edges)}
        print(f"bench_nx: {hops} hops: {len(nodes)} wallets, {len(edges)} transfers, median "
              f"{statistics.median(times) * 1000:.1f} ms", file=sys.stderr)
        del nodes, edges
    with open(args.out, "w") as out:
        json.dump(result, out, indent=2)


if __name__ == "__main__":
    main()
