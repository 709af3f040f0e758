#!/usr/bin/env python3
"""Schema registry throughput (issue 9, acceptance 7): starts one eddy-registry, registers schemas,
and drives it with wrk (keep-alive) on the two hot read paths:
  GET  /schemas/ids/{id}   what every consumer does on an unknown id   (target >= 20,000 req/s)
  POST /subjects/{subject} register-existing lookup, what producers do (target >=  5,000 req/s)
Prints req/s against the targets and writes build/bench/registry.json.

usage: registry_bench.py --bin-dir build/release/bin [--duration 10] [--connections 32]
                         [--threads 2] [--schemas 100] [--out build/bench/registry.json]
The registry runs alone (no controller): its REST API serves before it registers with one.
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

TARGETS = {"get_schema_by_id": 20000, "lookup_existing": 5000}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(url, method="GET", body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Content-Type": "application/vnd.schemaregistry.v1+json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def record(i):
    return json.dumps({"type": "record", "name": "Bench%d" % i, "namespace": "eddy.bench",
                       "fields": [{"name": "id", "type": "long"},
                                  {"name": "name", "type": "string"},
                                  {"name": "tags", "type": {"type": "array", "items": "string"}},
                                  {"name": "score%d" % i, "type": ["null", "double"],
                                   "default": None}]})


def run_wrk(args, url, script_path):
    cmd = ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d",
           "%ds" % args.duration, "--latency", "-s", script_path, url]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p99 = re.search(r"99%\s+(\S+)", out)
    return {"requests_per_second": rps, "non_2xx": int(errors.group(1)) if errors else 0,
            "p99_latency": p99.group(1) if p99 else None, "wrk_output": out}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--schemas", type=int, default=100)
    parser.add_argument("--out", default="build/bench/registry.json")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("registry_bench: wrk is missing (sudo apt-get install wrk)")

    work = tempfile.mkdtemp(prefix="eddy-registry-bench-")
    rest_port = free_port()
    base = "http://127.0.0.1:%d" % rest_port
    log = open(os.path.join(work, "registry.log"), "w")
    daemon = subprocess.Popen([
        os.path.join(args.bin_dir, "eddy-registry"), "--data-dir=" + os.path.join(work, "data"),
        "--rest-port=%d" % rest_port, "--grpc-port=%d" % free_port(),
        "--http-port=%d" % free_port(), "--controllers=127.0.0.1:%d" % free_port(),
        "--rest-threads=%d" % max(64, args.connections * 2), "--log-level=warn"],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 30
        while True:
            try:
                request(base + "/subjects")
                break
            except OSError:
                if time.time() > deadline or daemon.poll() is not None:
                    sys.exit("registry_bench: eddy-registry did not come up; log in " + work)
                time.sleep(0.1)
        # Ten subjects of unrelated records: no compatibility rule applies.
        request(base + "/config", "PUT", {"compatibility": "NONE"})
        ids = [request(base + "/subjects/bench-%d/versions" % (i % 10), "POST",
                       {"schema": record(i)})["id"] for i in range(args.schemas)]

        get_script = os.path.join(work, "get.lua")
        with open(get_script, "w") as f:
            f.write("local ids = {%s}\nlocal n = 0\n" % ",".join(map(str, ids)))
            f.write("request = function()\n  n = n + 1\n"
                    "  return wrk.format('GET', '/schemas/ids/' .. ids[(n %% %d) + 1])\nend\n"
                    % len(ids))
        lookup_script = os.path.join(work, "lookup.lua")
        bodies = [json.dumps({"schema": record(i)}) for i in range(args.schemas)]
        with open(lookup_script, "w") as f:
            f.write("local bodies = {%s}\nlocal n = 0\n" % ",".join(
                "[==[%s]==]" % b for b in bodies))
            f.write("local headers = {['Content-Type'] = "
                    "'application/vnd.schemaregistry.v1+json'}\n")
            f.write("request = function()\n  n = n + 1\n  local i = n %% %d\n"
                    "  return wrk.format('POST', '/subjects/bench-' .. (i %% 10), headers, "
                    "bodies[i + 1])\nend\n" % len(bodies))

        results = {"get_schema_by_id": run_wrk(args, base, get_script),
                   "lookup_existing": run_wrk(args, base, lookup_script)}
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
        log.close()

    report = {"duration_seconds": args.duration, "connections": args.connections,
              "wrk_threads": args.threads, "schemas": args.schemas, "results": {}}
    ok = True
    for name, result in results.items():
        target = TARGETS[name]
        passed = result["requests_per_second"] >= target and result["non_2xx"] == 0
        ok = ok and passed
        report["results"][name] = {k: v for k, v in result.items() if k != "wrk_output"}
        report["results"][name].update({"target_requests_per_second": target, "meets_target": passed})
        print("%-18s %10.0f req/s  (target %6d)  p99 %-8s non-2xx %d  %s" % (
            name, result["requests_per_second"], target, result["p99_latency"],
            result["non_2xx"], "OK" if passed else "BELOW TARGET"))
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(report, f, indent=2)
    print("results in " + args.out)
    shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
