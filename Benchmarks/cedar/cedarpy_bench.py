#!/usr/bin/env python3
"""Times cedarpy's is_authorized_batch on a workload written by `stepguard-bench cedar --out DIR`
(policies.cedar, entities.json, requests.jsonl) and prints its throughput, two ways:
  cold  policies and entities passed as text and JSON, parsed inside every call (the plain API);
  warm  policies and entities parsed once into handles outside the timer, only the batch timed.
Both wall-clock and CPU time are measured (CPU time is the steadier number on a shared machine).
Usage: cedarpy_bench.py DIR [--repeat K] [--decisions FILE]
--decisions writes one JSON line per request, {"decision", "reasons", "errors"}, with reasons
named by @id where the policy has one (as stepguard names them), for comparing answers."""
import json, sys, time
import cedarpy


def best_of(repeat, call):
    """Best wall time and best CPU time (seconds) of `repeat` calls, and the last results."""
    wall, cpu, results = float("inf"), float("inf"), None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        results = call()
        wall = min(wall, time.perf_counter() - w0)
        cpu = min(cpu, time.process_time() - c0)
    return (wall, cpu), results


def main():
    d = sys.argv[1]
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 3
    decisions = sys.argv[sys.argv.index("--decisions") + 1] if "--decisions" in sys.argv else None
    policies = open(f"{d}/policies.cedar").read()
    entities_text = open(f"{d}/entities.json").read()
    entities = json.loads(entities_text)
    requests = [json.loads(line) for line in open(f"{d}/requests.jsonl") if line.strip()]

    cold, results = best_of(repeat, lambda: cedarpy.is_authorized_batch(requests, policies, entities))
    policy_handle = cedarpy.PolicySet.from_str(policies)
    entity_handle = cedarpy.Entities.from_json_str(entities_text)
    warm, _ = best_of(repeat, lambda: cedarpy.is_authorized_batch(requests, policy_handle, entity_handle))

    allows = sum(1 for r in results if r.decision == cedarpy.Decision.Allow)
    n = len(requests)
    print(f"cedarpy: {n} requests, {allows} allowed")
    for name, (wall, cpu) in (("cold", cold), ("warm", warm)):
        print(f"cedarpy-{name}: {n / wall:.0f} requests/s wall, {n / cpu:.0f} requests/s cpu, "
              f"{cpu * 1e6 / n:.2f} us/request cpu (best of {repeat})")
    if decisions:
        with open(decisions, "w") as out:
            for r in results:
                names = r.diagnostics.id_annotations_by_reason
                reasons = sorted(names.get(p, p) for p in r.diagnostics.reasons)
                out.write(json.dumps({"decision": "allow" if r.allowed else "deny", "reasons": reasons,
                                      "errors": len(r.diagnostics.errors)}, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
