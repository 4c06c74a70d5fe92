#!/usr/bin/env python3
"""Times cedarpy's is_authorized_batch on a workload written by `stepguard-bench cedar --out DIR`
(policies.cedar, entities.json, requests.jsonl) and prints its throughput.
Usage: cedarpy_bench.py DIR [--repeat K]"""
import json, sys, time
import cedarpy

def main():
    d = sys.argv[1]
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 3
    policies = open(f"{d}/policies.cedar").read()
    entities = json.load(open(f"{d}/entities.json"))
    requests = [json.loads(l) for l in open(f"{d}/requests.jsonl") if l.strip()]
    best = float("inf")
    allows = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        results = cedarpy.is_authorized_batch(requests, policies, entities)
        best = min(best, time.perf_counter() - t0)
        allows = sum(1 for r in results if r.decision == cedarpy.Decision.Allow)
    print(f"cedarpy: {len(requests)} requests, {allows} allowed")
    print(f"cedarpy: {len(requests) / best:.0f} requests/s, {best * 1e6 / len(requests):.2f} µs/request (best of {repeat})")

if __name__ == "__main__":
    main()
