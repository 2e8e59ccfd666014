#!/usr/bin/env python3
"""Benchmarks (not tests): start-up to first frame, peak memory of a check, and check wall
time against `sandbox serve --latency-ms 50` divided by the ideal. Run through
`scripts/bench` (it builds the release binary and provides a Secret Service)."""
import json, os, pty, statistics, subprocess, sys, tempfile, time

BIN = os.path.abspath("target/release/m365-mail-wizard")
LATENCY_MS = 50
RUNS = 15


def first_frame_ms(tmp):
    env = dict(os.environ, M365MW_CONFIG_DIR=f"{tmp}/c", M365MW_DATA_DIR=f"{tmp}/d",
               M365MW_EXIT_AFTER_FIRST_FRAME="1", TERM="xterm-256color")
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(BIN, [BIN], env)
        while True:
            try:
                if not os.read(fd, 65536):
                    break
            except OSError:
                break
        os.waitpid(pid, 0)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    tmp = tempfile.mkdtemp()
    ff = first_frame_ms(tmp)
    serve = subprocess.Popen([BIN, "sandbox", "serve", "--latency-ms", str(LATENCY_MS)],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                             env=dict(os.environ, M365MW_DATA_DIR=f"{tmp}/sd"))
    info = json.loads(serve.stdout.readline())
    app = next(a for a in info["apps"] if a["key"] == "scoped")
    env = dict(os.environ, M365MW_CONFIG_DIR=f"{tmp}/c", M365MW_DATA_DIR=f"{tmp}/d")
    subprocess.run([BIN, "add", "bench", "--tenant", "contoso.example", "--client-id", app["client_id"],
                    "--access", "graph-read", "--mailbox",
                    "alice@contoso.example,bob@contoso.example", "--deny-mailbox", "ceo@contoso.example",
                    "--cloud-file", info["cloud_file"], "--secret-stdin"],
                   input=app["secret"], text=True, env=env, check=True, capture_output=True)
    walls, internals, ideals, peaks = [], [], [], []
    for _ in range(RUNS):
        start = time.perf_counter()
        proc = subprocess.Popen([BIN, "check", "bench", "--json"], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        stdout = proc.stdout.read()
        _, _, usage = os.wait4(proc.pid, 0)
        proc.returncode = 0
        walls.append((time.perf_counter() - start) * 1000)
        peaks.append(usage.ru_maxrss)
        report = json.loads(stdout)
        assert report["verdict"] == "passed", stdout
        internals.append(report["elapsed_ms"])
        rows = report["checks"]
        token = next(r["elapsed_ms"] for r in rows if r["kind"] == "token")
        slowest = max(r["elapsed_ms"] for r in rows if r["kind"] != "token")
        ideals.append(token + slowest)
    peak_kib = max(peaks)
    serve.kill()
    ideal = statistics.median(ideals)
    print(f"first frame (process start to first frame, median of {RUNS}): {ff:.1f} ms (target < 50 ms)")
    print(f"check, 3 mailboxes at {LATENCY_MS} ms latency: {statistics.median(internals):.0f} ms inside the process, "
          f"{statistics.median(walls):.0f} ms whole process")
    print(f"ideal (token round trip + slowest single mailbox check): {ideal:.0f} ms")
    print(f"ratio check / ideal: {statistics.median(internals) / ideal:.2f} (target < 1.3); "
          f"whole process / ideal: {statistics.median(walls) / ideal:.2f}")
    print(f"peak memory (max RSS) of a check process: {peak_kib / 1024:.1f} MiB")


if __name__ == "__main__":
    sys.exit(main())
