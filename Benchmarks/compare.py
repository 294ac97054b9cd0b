#!/usr/bin/env python3
"""TeamService against gRPC, side by side, in one run (`make bench-compare`).

Servers, each on the in-memory store and on SQLite (the default store; both Swift servers with
the same 64 MiB read cache):
  teams      teams-server, our protocol, driven by Benchmarks/loadgen/teams-loadgen (C, epoll, one
             thread, written from docs/PROTOCOL.md), or by `teams bench` with --teams-driver bench;
  grpc-swift grpc-teams-server (grpc-swift-2, the same interactor, stores and codec as teams-server);
  grpc-go    grpc-teams-server-go (grpc-go 1.33 from Debian, as a Go team would write it).
The gRPC servers are driven by h2load (nghttp2-client) with a protobuf GetTeam body, a C driver
that spends less CPU per call than either gRPC server. `teams bench` spends about as much CPU per
call as teams-server does, so it is not the default driver here: its rows would be DRIVER-BOUND.

Every measurement is GetTeam of an 11-player team. Rounds are interleaved (every server and shape
once per round, each server started fresh) and the table shows each row's median over rounds.

Measured the same way for every row:
  server CPU per call   user+sys of the server process (/proc/PID/stat) over the measured window / calls;
  driver CPU per call   teams-loadgen and teams bench: their own user+sys over the measured window;
                        h2load: its whole run's rusage (a separate warm-up run precedes it) / calls;
  wire bytes per call   request + response bytes through the driver's sockets: teams-loadgen and
                        teams bench count them; for h2load, its /proc/PID/io rchar+wchar minus the
                        log file it wrote;
  framing bytes         wire bytes minus the GetTeam request and response payloads;
  p50/p99               teams-loadgen's log-linear histogram (within 3 %), teams bench's HDR
                        histogram; h2load's per-request --log-file.
A row whose driver spent more CPU per call than the server is flagged DRIVER-BOUND: it measures
the driver more than the server.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEAMS_BIN = os.path.join(ROOT, ".build/release")
GRPC_SWIFT_BIN = os.path.join(ROOT, "Benchmarks/.build/release")
GRPC_GO_BIN = os.path.join(ROOT, "Benchmarks/.build-go/bin")
LOADGEN = os.path.join(ROOT, "Benchmarks/.build-loadgen/teams-loadgen")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SEED_TEAMS = 100
PLAYERS = 11


def say(line):
    print(f"compare: {line}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, process, what):
    deadline = time.time() + 30
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"compare: {what} exited with status {process.returncode} before listening on {port}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"compare: {what} did not listen on 127.0.0.1:{port} within 30 s")


def cpu_seconds(pid):
    """user + sys of a live process, from /proc/PID/stat (fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def run_measured(command, log_file=None):
    """Runs a driver to its end; returns (stdout, stderr, cpu seconds, socket bytes).

    The bytes come from /proc/PID/io while the process is a zombie (waitid with WNOWAIT),
    so they cover the whole run; the log file it wrote is subtracted."""
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    process = subprocess.Popen(command, stdout=out, stderr=err)
    os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
    io = {}
    with open(f"/proc/{process.pid}/io") as f:
        for line in f:
            key, value = line.split(":")
            io[key] = int(value)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    err.seek(0)
    stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise SystemExit(f"compare: {' '.join(command[:2])} failed with status {process.returncode}: {stderr.strip()[-400:]}")
    written = io["wchar"] - (os.path.getsize(log_file) if log_file else 0)
    return stdout, stderr, usage.ru_utime + usage.ru_stime, io["rchar"] + written


class Server:
    """One server process on a fresh port (and a fresh database for SQLite)."""

    def __init__(self, name, store, command, threads):
        self.name, self.store = name, store
        self.folder = tempfile.mkdtemp(prefix=f"compare-{name}-{store}-")
        self.port = free_port()
        db = os.path.join(self.folder, "teams.sqlite")
        argv = {
            "teams": [f"{TEAMS_BIN}/teams-server", "--store", f"sqlite:{db}" if store == "sqlite" else store,
                      "--log-level", "error", "--threads", str(threads)],
            "grpc-swift": [f"{GRPC_SWIFT_BIN}/grpc-teams-server", "--store", store, "--threads", str(threads)]
            + (["--db", db] if store == "sqlite" else []),
            "grpc-go": [f"{GRPC_GO_BIN}/grpc-teams-server-go", "--store", store, "--procs", str(threads)]
            + (["--db", db] if store == "sqlite" else []),
        }[command]
        self.kind = command
        self.log = open(os.path.join(self.folder, "server.log"), "w")
        self.process = subprocess.Popen(argv + ["--host", "127.0.0.1", "--port", str(self.port)], stdout=self.log, stderr=self.log)
        wait_for_port(self.port, self.process, f"{name} ({store})")
        self.body = None

    def seed_for_h2load(self):
        """Seeds teams over gRPC and writes the GetTeam request body of the first one."""
        ids = subprocess.run(
            [f"{GRPC_GO_BIN}/grpc-teams-seed-go", "--target", f"127.0.0.1:{self.port}", "--teams", str(SEED_TEAMS),
             "--players-per-team", str(PLAYERS)], capture_output=True, text=True, check=True).stdout.split()
        team_id = ids[0].encode()
        request = b"\x0a" + bytes([len(team_id)]) + team_id  # GetTeamRequest{id}, field 1
        self.body = os.path.join(self.folder, "get-team.bin")
        with open(self.body, "wb") as f:
            f.write(b"\x00" + len(request).to_bytes(4, "big") + request)  # gRPC message prefix
        self.request_payload = len(request)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def measure_teams(server, connections, in_flight, args):
    if args.teams_driver == "bench":
        return measure_teams_bench(server, connections, in_flight, args)
    command = [LOADGEN, "--server", f"127.0.0.1:{server.port}", "--server-pid", str(server.process.pid),
               "--connections", str(connections), "--in-flight", str(in_flight), "--duration", f"{args.duration:g}",
               "--warmup", f"{args.warmup:g}", "--players", str(PLAYERS), "--json"]
    stdout, _, _, _ = run_measured(command)
    r = json.loads(stdout)
    return {
        "calls_per_s": r["calls_per_second"], "p50_us": r["p50_us"], "p99_us": r["p99_us"],
        "server_cpu_us": r["server_cpu_us_per_call"], "driver_cpu_us": r["driver_cpu_us_per_call"],
        "wire_bytes": r["wire_bytes_per_call"], "framing_bytes": r["framing_bytes_per_call"], "errors": r["failed"],
    }


def measure_teams_bench(server, connections, in_flight, args):
    command = [f"{TEAMS_BIN}/teams", "bench", "--server", f"127.0.0.1:{server.port}", "--server-pid", str(server.process.pid),
               "--connections", str(connections), "--in-flight", str(in_flight), "--duration", f"{args.duration}s",
               "--warmup", f"{args.warmup}s", "--teams", str(SEED_TEAMS), "--players-per-team", str(PLAYERS),
               "--mix", "get=100", "--json"]
    stdout, _, _, _ = run_measured(command)
    r = json.loads(stdout)
    return {
        "calls_per_s": r["throughput_per_s"], "p50_us": r["latency_us"]["p50"], "p99_us": r["latency_us"]["p99"],
        "server_cpu_us": r["server_cpu_us_per_call"], "driver_cpu_us": r["client_cpu_us_per_call"],
        "wire_bytes": r["bytes_sent_per_call"] + r["bytes_received_per_call"], "framing_bytes": r["framing_bytes_per_call"],
        "errors": sum(r["errors"].values()),
    }


def h2load_command(server, connections, in_flight, seconds, log_file=None):
    return (["h2load", "-D", f"{seconds:g}s", "-c", str(connections), "-m", str(in_flight), "-t", "1",
             "-d", server.body, "-H", "content-type: application/grpc", "-H", "te: trailers"]
            + (["--log-file", log_file] if log_file else [])
            + [f"http://127.0.0.1:{server.port}/teams.v1.TeamService/GetTeam"])


def measure_h2load(server, connections, in_flight, args):
    if server.body is None:
        server.seed_for_h2load()
    run_measured(h2load_command(server, connections, in_flight, args.warmup))
    log_file = os.path.join(server.folder, "h2load.log")
    before = cpu_seconds(server.process.pid)
    stdout, _, driver_cpu, wire = run_measured(h2load_command(server, connections, in_flight, args.duration, log_file), log_file)
    server_cpu = cpu_seconds(server.process.pid) - before
    requests = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout", stdout)
    if not requests:
        raise SystemExit(f"compare: cannot read h2load's summary:\n{stdout}")
    succeeded = int(requests.group(4))
    errors = int(requests.group(5)) + int(requests.group(6)) + int(requests.group(7))
    data = int(re.search(r"traffic: .*?\((\d+)\) total, .*?\((\d+)\) headers .*?\((\d+)\) data", stdout).group(3))
    calls = max(1, succeeded + errors)
    # Every answer must carry the team: a gRPC error is HTTP 200 with no message, which h2load counts as success.
    response_payload = data / calls - 5
    if response_payload < 100:
        raise SystemExit(f"compare: {server.name} answered GetTeam with {response_payload:.0f} B, not a team; h2load said:\n{stdout}")
    latencies = sorted(int(line.split("\t")[2]) for line in open(log_file) if line.count("\t") >= 2)
    elapsed = float(re.search(r"finished in ([\d.]+)s", stdout).group(1))
    os.remove(log_file)
    return {
        "calls_per_s": succeeded / elapsed, "p50_us": percentile(latencies, 50), "p99_us": percentile(latencies, 99),
        "server_cpu_us": server_cpu * 1e6 / calls, "driver_cpu_us": driver_cpu * 1e6 / calls,
        "wire_bytes": wire / calls, "framing_bytes": wire / calls - server.request_payload - response_payload,
        "errors": errors,
    }


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p / 100))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10, help="measured seconds per row (default 10)")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured seconds before each (default 2)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the table shows medians (default 3)")
    parser.add_argument("--shapes", default="4x16,64x1,1x1", help="CONNECTIONSxIN_FLIGHT list (default 4x16,64x1,1x1)")
    parser.add_argument("--servers", default="teams,grpc-swift,grpc-go", help="which servers (default all three)")
    parser.add_argument("--stores", default="memory,sqlite", help="which stores (default memory,sqlite)")
    parser.add_argument("--threads", type=int, default=1, help="server threads (GOMAXPROCS for Go); default 1 leaves a core to the driver")
    parser.add_argument("--teams-driver", choices=("loadgen", "bench"), default="loadgen",
                        help="what drives teams-server: teams-loadgen (default) or `teams bench`")
    parser.add_argument("--json", help="also write every measurement to this file")
    args = parser.parse_args()
    try:
        shapes = [tuple(int(n) for n in shape.split("x")) for shape in args.shapes.split(",")]
        assert all(c > 0 and m > 0 for c, m in shapes)
    except (ValueError, AssertionError):
        parser.error(f"--shapes must look like 4x16,64x1, got {args.shapes!r}")
    servers = args.servers.split(",")
    stores = args.stores.split(",")
    for name in servers:
        if name not in ("teams", "grpc-swift", "grpc-go"):
            parser.error(f"--servers: unknown server {name!r}; use teams, grpc-swift, grpc-go")
    for store in stores:
        if store not in ("memory", "sqlite"):
            parser.error(f"--stores: unknown store {store!r}; use memory, sqlite")
    if int(args.duration) != args.duration or int(args.warmup) != args.warmup:
        parser.error("--duration and --warmup are whole seconds")
    if args.duration <= 0 or args.warmup < 0 or args.rounds < 1 or args.threads < 1:
        parser.error("--duration, --rounds and --threads must be positive, --warmup at least 0")

    rows = {}
    total = args.rounds * len(servers) * len(stores) * len(shapes)
    done = 0
    for round_number in range(1, args.rounds + 1):
        for name in servers:
            for store in stores:
                server = Server(name, store, name, args.threads)
                try:
                    for connections, in_flight in shapes:
                        done += 1
                        say(f"[{done}/{total}] round {round_number}: {name} {store} {connections}x{in_flight}")
                        measure = measure_teams if name == "teams" else measure_h2load
                        result = measure(server, connections, in_flight, args)
                        rows.setdefault((name, store, f"{connections}x{in_flight}"), []).append(result)
                finally:
                    server.stop()
    if args.json:
        with open(args.json, "w") as f:
            json.dump([{"server": k[0], "store": k[1], "shape": k[2], "rounds": v} for k, v in rows.items()], f, indent=1)
    report(rows, args, servers, stores, shapes)


def median(results, key):
    return statistics.median(r[key] for r in results)


def report(rows, args, servers, stores, shapes):
    print(f"GetTeam of an {PLAYERS}-player team; {os.cpu_count()} cores; server threads {args.threads}; teams driven by {args.teams_driver}; "
          f"median of {args.rounds} interleaved rounds of {args.duration:g} s")
    head = (f"{'server':10} {'store':6} {'shape':5} {'calls/s':>9} {'p50 us':>7} {'p99 us':>7} {'srv us/call':>11} "
            f"{'drv us/call':>11} {'wire B':>7} {'framing B':>9} {'errors':>6}")
    print(head)
    print("-" * len(head))
    for connections, in_flight in shapes:
        shape = f"{connections}x{in_flight}"
        for store in stores:
            for name in servers:
                results = rows[(name, store, shape)]
                m = {key: median(results, key) for key in results[0]}
                flag = "  DRIVER-BOUND" if m["driver_cpu_us"] > m["server_cpu_us"] else ""
                print(f"{name:10} {store:6} {shape:5} {m['calls_per_s']:9.0f} {m['p50_us']:7.0f} {m['p99_us']:7.0f} "
                      f"{m['server_cpu_us']:11.2f} {m['driver_cpu_us']:11.2f} {m['wire_bytes']:7.1f} {m['framing_bytes']:9.1f} "
                      f"{int(m['errors']):6d}{flag}")
    if "teams" not in servers:
        return
    print()
    for connections, in_flight in shapes:
        shape = f"{connections}x{in_flight}"
        for store in stores:
            ours = rows[("teams", store, shape)]
            for name in servers:
                if name == "teams":
                    continue
                theirs = rows[(name, store, shape)]
                print(f"{shape:5} {store:6} teams vs {name:10}: throughput x{median(ours, 'calls_per_s') / median(theirs, 'calls_per_s'):.1f}, "
                      f"server CPU per call x{median(theirs, 'server_cpu_us') / median(ours, 'server_cpu_us'):.1f} less, "
                      f"wire bytes x{median(theirs, 'wire_bytes') / median(ours, 'wire_bytes'):.1f} fewer")


if __name__ == "__main__":
    main()
