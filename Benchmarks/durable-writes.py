#!/usr/bin/env python3
"""Durable writes on the default store beside Redis' fsync-always SET, in one run.

Each round starts a fresh redis-server (appendonly, appendfsync always) and drives it
with redis-benchmark (SET of 250 B, 4 connections x 16 pipelined), then, for each
write, a fresh teams-server on a new SQLite file driven by `teams bench` (4 x 16).
Rows are interleaved round by round; the table gives medians. With --baseline, another
teams-server binary runs each write just before this one, in the same rounds.

    swift build -c release && python3 Benchmarks/durable-writes.py [--rounds 3] [--duration 8s]

Per row: writes/s, p50 and p99, the server's and the driver's CPU per write, and the
SQLite commits per second with their average size (from the server's metrics, over
the whole bench run: seeding, warm-up and measurement). `create=50,delete=50` is how
deletes are measured (a delete removes a team its connection created), and
`add-player=50,remove-player=50` removals (so squads never run out of players); the
row gives the deletes' or removals' own rate, and the CPU per write is shared by both.
Each run seeds 20,000 teams of 11 players, so that concurrent writes land on different
teams (as independent callers' would) instead of queueing behind one team's lock, and
so that squads stay near the size of real ones: 10 s of adds at 60k/s end them at about
40 players, where 5,000 teams filled them to the limit of 100 before the run ended.
"""
import argparse
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIXES = [("CreateTeam", "create=100", "create"), ("AddPlayer", "add-player=100", "add-player"),
         ("RenameTeam", "rename=100", "rename"), ("RemovePlayer", "add-player=50,remove-player=50", "remove-player"),
         ("DeleteTeam", "create=50,delete=50", "delete")]
# Enough seeded teams that 64 writes in flight rarely queue on one team, and that adds
# leave squads far from the limit of 100 players when the run ends.
SEEDED_TEAMS = 20000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, what, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"durable-writes: {what} did not listen on 127.0.0.1:{port} within {seconds} s")


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def redis_round(work, requests):
    port = free_port()
    folder = tempfile.mkdtemp(dir=work)
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", folder, "--appendonly", "yes",
                               "--appendfsync", "always", "--save", ""], stdout=subprocess.DEVNULL)
    try:
        wait_for(port, "redis-server")
        before = cpu_seconds(server.pid)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-c", "4", "-P", "16", "-t", "set", "-d", "250",
                              "-r", "100000", "-n", str(requests), "--csv"], capture_output=True, text=True, check=True).stdout
        used = cpu_seconds(server.pid) - before
        # redis-benchmark is the one child reaped since (the server is still running).
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        driver = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
        # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
        row = [line for line in out.splitlines() if line.startswith('"SET"')][0]
        values = [float(v.strip('"')) for v in row.split(",")[1:]]
        # Redis fsyncs once per event loop turn, for every SET read in it: its commits are not counted.
        return {"rate": values[0], "p50": values[3] * 1000, "p99": values[5] * 1000, "server_cpu": used / requests * 1e6,
                "driver_cpu": driver / requests * 1e6, "commits": None, "per_commit": None}
    finally:
        server.terminate()
        server.wait()


def scrape(port):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    def value(name):
        match = re.search(rf"^{name} (\S+)$", text, re.M)
        return float(match.group(1)) if match else 0.0
    return value("teams_sqlite_group_commit_writes_count"), value("teams_sqlite_group_commit_writes_sum")


def teams_round(work, server_binary, teams_binary, mix, operation, duration):
    port, metrics = free_port(), free_port()
    database = os.path.join(tempfile.mkdtemp(dir=work), "teams.sqlite")
    server = subprocess.Popen([server_binary, "--port", str(port), "--store", f"sqlite:{database}", "--metrics-port", str(metrics)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port, "teams-server")
        commits_before, writes_before = scrape(metrics)
        started = time.time()
        out = subprocess.run([teams_binary, "--server", f"127.0.0.1:{port}", "--json", "bench", "--mix", mix, "--teams", str(SEEDED_TEAMS),
                              "--duration", duration, "--warmup", "2s", "--server-pid", str(server.pid)],
                             capture_output=True, text=True, check=True).stdout
        elapsed = time.time() - started
        commits_after, writes_after = scrape(metrics)
        result = json.loads(out)
        if result["errors"]:
            print(f"durable-writes: {mix} had errors {result['errors']}", file=sys.stderr)
        stats = result["operations"][operation]
        commits = commits_after - commits_before
        return {"rate": stats["throughput_per_s"], "p50": stats["latency_us"]["p50"], "p99": stats["latency_us"]["p99"],
                "server_cpu": result["server_cpu_us_per_call"], "driver_cpu": result["client_cpu_us_per_call"],
                "commits": commits / elapsed, "per_commit": (writes_after - writes_before) / commits if commits else None}
    finally:
        server.terminate()
        server.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", default="8s")
    parser.add_argument("--redis-requests", type=int, default=300_000)
    parser.add_argument("--server", default=os.path.join(ROOT, ".build/release/teams-server"))
    parser.add_argument("--teams", default=os.path.join(ROOT, ".build/release/teams"))
    parser.add_argument("--baseline", help="another teams-server binary, measured in the same rounds, each row before this one")
    parser.add_argument("--redis-only", action="store_true", help="measure Redis alone")
    options = parser.parse_args()
    for tool in ["redis-server", "redis-benchmark"]:
        if not shutil.which(tool):
            sys.exit(f"durable-writes: {tool} not found (apt-get install redis-server)")
    for binary in [options.server, options.teams] + ([options.baseline] if options.baseline else []):
        if not os.access(binary, os.X_OK):
            sys.exit(f"durable-writes: {binary} not found (swift build -c release)")
    servers = ([("baseline", options.baseline)] if options.baseline else []) + [("", options.server)]
    def label(name, which):
        return f"{name} ({which})" if which else name
    rows = {"Redis SET, appendfsync always": []} | {label(name, which): [] for name, _, _ in MIXES for which, _ in servers}
    with tempfile.TemporaryDirectory() as work:
        for round_number in range(1, options.rounds + 1):
            print(f"durable-writes: round {round_number} of {options.rounds}", file=sys.stderr)
            rows["Redis SET, appendfsync always"].append(redis_round(work, options.redis_requests))
            for name, mix, operation in ([] if options.redis_only else MIXES):
                for which, binary in servers:
                    rows[label(name, which)].append(teams_round(work, binary, options.teams, mix, operation, options.duration))
    redis_rate = statistics.median(r["rate"] for r in rows["Redis SET, appendfsync always"])

    def median(runs, key, format):
        values = [r[key] for r in runs if r[key] is not None]
        return format.format(statistics.median(values)) if values else "–"

    print(f"| write ({options.rounds} rounds, medians) | writes/s | × Redis | p50 µs | p99 µs | server µs/write | driver µs/write | commits/s | writes/commit |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, runs in rows.items():
        if not runs:
            continue
        rate = statistics.median(r["rate"] for r in runs)
        print(f"| {name} | {rate:,.0f} | {rate / redis_rate:.2f} | {median(runs, 'p50', '{:,.0f}')} | {median(runs, 'p99', '{:,.0f}')} "
              f"| {median(runs, 'server_cpu', '{:.1f}')} | {median(runs, 'driver_cpu', '{:.1f}')} | {median(runs, 'commits', '{:,.0f}')} "
              f"| {median(runs, 'per_commit', '{:.1f}')} |")


if __name__ == "__main__":
    main()
