"""``make bench`` part 8: where the time of one serial run of the default suite goes, and what
remote browsers on their own cores give.

One serial ``smoke run`` with the phase timers of :mod:`smoke.run.phases`, while the CPU time of
every process of the run is sampled (psutil): the runner's Python, the browser, Playwright's node
driver and the target's server (the sandbox). Then the same suite with 2 local workers, and with 2
workers over two ``playwright run-server``s pinned with ``taskset`` to core 0 and core 1.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

SAMPLE_S = 0.2


def _kind(cmdline: list[str], name: str) -> str:
    text = " ".join(cmdline).lower()
    if "chrom" in name.lower() or "chrome" in text or "chromium" in text:
        return "browser (chromium)"
    if "node" in name.lower() or ("playwright" in text and "driver" in text):
        return "Playwright driver (node)"
    if "sandbox" in text or "http.server" in text:
        return "target server (sandbox)"
    if "run-server" in text:
        return "run-server wrapper"
    return "runner (python, pytest, engine)"


class CpuSampler:
    """The CPU seconds of a process and all its descendants, by kind, sampled until stopped."""

    def __init__(self, pid: int, extra_roots: list[int] | None = None) -> None:
        import psutil

        self.psutil = psutil
        self.roots = [pid, *(extra_roots or [])]
        self.seen: dict[int, tuple[str, float]] = {}
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> CpuSampler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self.thread.join(timeout=5)

    def _loop(self) -> None:
        while not self.stop_event.is_set():
            for root in self.roots:
                try:
                    top = self.psutil.Process(root)
                    procs = [top, *top.children(recursive=True)]
                except self.psutil.Error:
                    continue
                for proc in procs:
                    try:
                        with proc.oneshot():
                            cpu = proc.cpu_times()
                            kind = (
                                self.seen[proc.pid][0] if proc.pid in self.seen else _kind(proc.cmdline(), proc.name())
                            )
                        self.seen[proc.pid] = (kind, cpu.user + cpu.system)
                    except self.psutil.Error:
                        continue
            self.stop_event.wait(SAMPLE_S)  # sampling, not waiting for a result

    def by_kind(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for kind, seconds in self.seen.values():
            out[kind] = round(out.get(kind, 0.0) + seconds, 1)
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def _smoke(
    args: list[str], env: dict[str, str] | None = None, roots: list[int] | None = None
) -> tuple[float, int, dict[str, float]]:
    t0 = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "smoke", "run", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    with CpuSampler(process.pid, roots) as sampler:
        code = process.wait()
    return time.perf_counter() - t0, code, sampler.by_kind()


def serial_breakdown(work: Path) -> dict[str, Any]:
    phases_file = work / "phases.json"
    wall, code, cpu = _smoke(
        ["--report-dir", str(work / "serial"), "--pytest-arg=-psmoke.run.phases"], {"SMOKE_PHASES": str(phases_file)}
    )
    data = json.loads(phases_file.read_text()) if phases_file.exists() else {"phases": {}, "marks": {}}
    marks = data["marks"]
    phases = {k: v["s"] for k, v in data["phases"].items()}
    configured, collected = marks.get("pytest configured", 0), marks.get("collected", 0)
    start = {
        "Python start and imports (to pytest configured)": configured - marks.get("process started", configured),
        "session start and collection (target server, checks)": collected - configured,
    }
    return {
        "wall_s": round(wall, 1),
        "exit": code,
        "start": {k: round(v, 2) for k, v in start.items()},
        "phases": phases,
        "cpu_s": cpu,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_servers(cores: list[int], log_dir: Path) -> tuple[list[subprocess.Popen[bytes]], list[str]]:
    processes, urls = [], []
    for core in cores:
        port = _free_port()
        command = [
            sys.executable,
            "-m",
            "playwright",
            "run-server",
            "--unsafe",
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
        ]
        if shutil.which("taskset"):
            command = ["taskset", "-c", str(core), *command]
        processes.append(
            subprocess.Popen(
                command,
                stdout=(log_dir / f"run-server-{core}.log").open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        urls.append(f"ws://127.0.0.1:{port}/")
    for url in urls:
        port = int(url.rsplit(":", 1)[1].strip("/"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)  # polling until it listens
    return processes, urls


def pool_speedup(work: Path, serial_s: float | None = None) -> dict[str, Any]:
    import signal

    from smoke.browser import find_chromium

    local_s, local_code, local_cpu = _smoke(["--report-dir", str(work / "local2"), "--workers", "2"])
    cores = [0, 1] if (os.cpu_count() or 1) >= 2 else [0, 0]
    processes, urls = _run_servers(cores, work)
    args = ["--report-dir", str(work / "pool2"), "--workers", "2"]
    for url in urls:
        args += ["--browser-ws", url]
    found = find_chromium()
    if found.source == "system":
        args += ["--remote-executable", str(found.executable)]
    try:
        pool_s, pool_code, pool_cpu = _smoke(args, roots=[p.pid for p in processes])
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(process.pid, signal.SIGKILL)
    return {
        "local_workers2_s": round(local_s, 1),
        "local_exit": local_code,
        "local_cpu_s": local_cpu,
        "pool_workers2_s": round(pool_s, 1),
        "pool_exit": pool_code,
        "pool_cpu_s": pool_cpu,
        "pinned": bool(shutil.which("taskset")),
        "speedup_pool_vs_local": round(local_s / pool_s, 2) if pool_s else None,
        "speedup_local2_vs_serial": round(serial_s / local_s, 2) if serial_s and local_s else None,
        "speedup_pool2_vs_serial": round(serial_s / pool_s, 2) if serial_s and pool_s else None,
    }


def breakdown() -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="smoke-bench-breakdown-"))
    serial = serial_breakdown(work)
    return {"serial": serial, "parallel": pool_speedup(work, serial["wall_s"]), "load": os.getloadavg()}


def print_breakdown(figures: dict[str, Any]) -> None:
    serial = figures["serial"]
    wall = serial["wall_s"] or 1.0
    print(
        f"5. where the time goes, one serial run of the default suite: {serial['wall_s']}s wall (exit {serial['exit']})"
    )
    for name, seconds in serial["start"].items():
        print(f"     {name:<52} {seconds:7.2f}s  {100 * seconds / wall:4.0f}%")
    phases = serial["phases"]
    order = ["scenarios", "steps", "log in or switch role", "screenshots",
             "  the mask and change question (evaluate)", "  the capture (Page.screenshot)",
             "trace", "new browser context",
             "closing contexts", "saving logins (storage state)", "page loads (goto, reload)",
             "expect checks (polling)", "explicit waits", "browser launch or connect", "target server start",
             "report and index"]  # fmt: skip
    for name in order + sorted(set(phases) - set(order)):
        if name in phases:
            indent = (
                "       of which "
                if name not in ("scenarios", "report and index", "browser launch or connect", "target server start")
                else "     "
            )
            print(f"{indent}{name:<{52 - len(indent) + 5}} {phases[name]:7.2f}s  {100 * phases[name] / wall:4.0f}%")
    print("     CPU seconds by process (sampled every 0.2 s):")
    for kind, seconds in serial["cpu_s"].items():
        print(f"       {kind:<50} {seconds:7.1f}s")
    p = figures["parallel"]
    pinned = "pinned to cores 0 and 1 with taskset" if p["pinned"] else "not pinned (no taskset)"
    print(
        f"   2 workers, local browsers: {p['local_workers2_s']}s ({p['speedup_local2_vs_serial']}x serial);"
        f" 2 workers over 2 run-servers {pinned}: {p['pool_workers2_s']}s ({p['speedup_pool2_vs_serial']}x serial,"
        f" {p['speedup_pool_vs_local']}x local)"
    )
    print(
        f"   load average during the bench: {', '.join(f'{x:.1f}' for x in figures['load'])} (others' work inflates every figure)"
    )
