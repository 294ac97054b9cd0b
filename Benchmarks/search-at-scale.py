#!/usr/bin/env python3
"""Search at a million teams on the default store: throughput, latency, RSS and start-up.

Seeds FILE once (`teams bench --players-per-team 0`, names b0 ... b<N-1>) unless it
holds the teams already, then, each round, starts teams-server on a copy-free reopen of
it (timing the start-up and reading the search index's build time from its log), and
drives SearchTeams with `teams bench --seeded` for each term length at 4 x 16 and at
1 x 1. Rows are interleaved round by round; the table gives medians, with the server's
and the driver's CPU per page and the server's RSS after the round.

    swift build -c release && python3 Benchmarks/search-at-scale.py [--teams 1000000] [--rounds 3]
"""
import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Server:
    """teams-server on FILE, timed from exec until it listens."""

    def __init__(self, binary, database, log):
        self.port = free_port()
        self.log = log
        started = time.time()
        self.process = subprocess.Popen([binary, "--port", str(self.port), "--store", f"sqlite:{database}"],
                                        stdout=open(log, "w"), stderr=subprocess.STDOUT)
        while not listening(self.port):
            if self.process.poll() is not None:
                sys.exit(f"search-at-scale: teams-server exited; see {log}")
            if time.time() - started > 600:
                sys.exit(f"search-at-scale: teams-server did not listen within 600 s; see {log}")
            time.sleep(0.05)
        self.startup = time.time() - started
        match = re.search(r'duration="([0-9.e-]+) seconds".* teams=(\d+) search index built', open(log).read())
        self.index_seconds, self.teams = (float(match.group(1)), int(match.group(2))) if match else (None, None)

    def stop(self):
        self.process.terminate()
        self.process.wait()


def bench(teams_binary, server, teams, length, connections, in_flight, duration):
    out = subprocess.run([teams_binary, "--server", f"127.0.0.1:{server.port}", "--json", "bench", "--seeded", "--teams", str(teams),
                          "--players-per-team", "0", "--mix", "search=100", "--connections", str(connections), "--in-flight", str(in_flight),
                          "--duration", duration, "--warmup", "1s", "--search-term-length", length, "--server-pid", str(server.process.pid)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"search-at-scale: teams bench failed: {out.stderr.strip()}")
    result = json.loads(out.stdout)
    if result["errors"]:
        print(f"search-at-scale: length {length} had errors {result['errors']}", file=sys.stderr)
    latency = result["latency_us"]
    return {"rate": result["throughput_per_s"], "p50": latency["p50"] / 1000, "p99": latency["p99"] / 1000,
            "server_cpu": result["server_cpu_us_per_call"], "driver_cpu": result["client_cpu_us_per_call"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", default="6s")
    parser.add_argument("--lengths", default="1,2,3,4,5,6,7,8,1-8", help="term lengths, each a row (N or MIN-MAX)")
    parser.add_argument("--file", default="/tmp/search-at-scale/teams.sqlite", help="the seeded database, kept between runs")
    parser.add_argument("--server", default=os.path.join(ROOT, ".build/release/teams-server"))
    parser.add_argument("--teams-binary", default=os.path.join(ROOT, ".build/release/teams"))
    options = parser.parse_args()
    for binary in [options.server, options.teams_binary]:
        if not os.access(binary, os.X_OK):
            sys.exit(f"search-at-scale: {binary} not found (swift build -c release)")
    os.makedirs(os.path.dirname(options.file), exist_ok=True)
    log = options.file + ".server.log"

    server = Server(options.server, options.file, log)
    if server.teams != options.teams:
        if server.teams:
            sys.exit(f"search-at-scale: {options.file} holds {server.teams} teams, not {options.teams}: remove it to seed again")
        print(f"search-at-scale: seeding {options.teams:,} teams into {options.file}", file=sys.stderr)
        subprocess.run([options.teams_binary, "--server", f"127.0.0.1:{server.port}", "bench", "--teams", str(options.teams),
                        "--players-per-team", "0", "--mix", "search=100", "--duration", "1s", "--warmup", "0s"],
                       stdout=subprocess.DEVNULL, check=True)
    server.stop()

    lengths = options.lengths.split(",")
    rows = {(length, shape): [] for length in lengths for shape in ["4 × 16", "1 × 1"]}
    starts = []
    for round_number in range(1, options.rounds + 1):
        print(f"search-at-scale: round {round_number} of {options.rounds}", file=sys.stderr)
        server = Server(options.server, options.file, log)
        starts.append({"startup": server.startup, "index": server.index_seconds, "rss_start": rss_mib(server.process.pid)})
        for length in lengths:
            for shape, (connections, in_flight) in [("4 × 16", (4, 16)), ("1 × 1", (1, 1))]:
                rows[(length, shape)].append(bench(options.teams_binary, server, options.teams, length, connections, in_flight, options.duration))
        starts[-1]["rss_end"] = rss_mib(server.process.pid)
        server.stop()

    def median(values, format):
        return format.format(statistics.median(values))

    print(f"Start-up with {options.teams:,} teams (medians of {options.rounds}): until listening "
          f"{median([s['startup'] for s in starts], '{:.2f}')} s, of which the search index "
          f"{median([s['index'] for s in starts if s['index'] is not None], '{:.2f}')} s; RSS "
          f"{median([s['rss_start'] for s in starts], '{:.0f}')} MiB at start, {median([s['rss_end'] for s in starts], '{:.0f}')} MiB after the round")
    print()
    print(f"| term length | load | pages/s | p50 ms | p99 ms | server µs/page | driver µs/page |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (length, shape), runs in rows.items():
        print(f"| {length} | {shape} | {median([r['rate'] for r in runs], '{:,.0f}')} | {median([r['p50'] for r in runs], '{:.2f}')} "
              f"| {median([r['p99'] for r in runs], '{:.2f}')} | {median([r['server_cpu'] for r in runs], '{:.0f}')} "
              f"| {median([r['driver_cpu'] for r in runs], '{:.0f}')} |")


if __name__ == "__main__":
    main()
