"""What the Python benchmark scripts share: installing what they need, timing one client
process (wall time, its own CPU time, its peak memory, the emulator's CPU meanwhile), and
the line that names the machine, the setup and the date above every table.
"""
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import bench_emulator

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PY_SDK = "azure-storage-blob==12.31.1"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def setup(tag, cargo_targets):
    """scripts/setup (Azurite), .venv with the Python SDK, a release build of `cargo_targets`
    (e.g. ["--bin", "batchout"]). Returns the venv's python."""
    def log(msg):
        print(f"{tag}: {msg}", file=sys.stderr, flush=True)

    subprocess.run([str(ROOT / "scripts/setup")], check=True)
    python = VENV / "bin/python"
    if not python.exists():
        log("creating .venv")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if subprocess.run([str(python), "-c", "import azure.storage.blob"], capture_output=True).returncode != 0:
        log(f"installing {PY_SDK} into .venv")
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", PY_SDK], check=True)
    log("building batchout (release)")
    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet", *cargo_targets], cwd=ROOT, check=True)
    return python


class Measured:
    """One client process: wall seconds, its own CPU seconds (user + system, children
    included), peak RSS in MiB, the emulator's CPU seconds per process meanwhile, stdout."""

    def __init__(self, seconds, cpu, rss_mib, emulator, stdout):
        self.seconds, self.cpu, self.rss_mib, self.emulator, self.stdout = seconds, cpu, rss_mib, emulator, stdout

    @property
    def emulator_total(self):
        return sum(self.emulator.values())


def measure(cmd, env, pids):
    """Run `cmd` to the end under /usr/bin/time; `pids` are the emulator's processes."""
    with tempfile.NamedTemporaryFile("r") as t:
        before = bench_emulator.emulator_cpu(pids)
        start = time.perf_counter()
        out = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", t.name, *cmd], env=env, check=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        secs = time.perf_counter() - start
        after = bench_emulator.emulator_cpu(pids)
        kib, user, system = t.read().strip().splitlines()[-1].split()
    return Measured(secs, float(user) + float(system), int(kib) / 1024,
                    bench_emulator.cpu_delta(before, after), out.stdout)


def machine():
    """'2 cores (MODEL), 24 GiB, load 1.2' for the header of a table."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / (1 << 30)
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} cores ({model or platform.machine()}), {mem:.0f} GiB, load {load:.1f}"


def header(description):
    """The lines naming machine, setup and date, printed above each script's table;
    `description` names the emulator (Emulator.description)."""
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"machine: {machine()}\nsetup: {description}; Python SDK {PY_SDK.split('==')[1]}; "
            f"release build\ndate: {date}")


def per_thousand(seconds, count):
    return seconds * 1000 / count


def emulator_text(m, wall):
    """'Azurite 1.20 s (95%), MariaDB 0.40 s (30%)' for the emulator's processes during m."""
    return ", ".join(f"{name} {secs:.2f} s ({100 * secs / wall:.0f}%)" for name, secs in m.items())


if __name__ == "__main__":
    # For the shell scripts: `bench_common.py header` prints the header for the emulator
    # described in BENCH_EMULATOR_DESCRIPTION (set by bench_emulator.py).
    if sys.argv[1:] == ["header"]:
        print(header(os.environ.get("BENCH_EMULATOR_DESCRIPTION")
                     or f"the emulator at {os.environ.get('BATCHOUT_AZURITE_BLOB_ENDPOINT')}"))
    else:
        sys.exit("usage: bench_common.py header")
