#!/usr/bin/env python3
"""The storage emulator the benchmarks run against, and what it costs (README "Benchmarks").

Two setups, chosen with `--emulator` in every benchmark script:

  memory  Azurite with its metadata in memory (LokiJS). Simple, and what the tests use, but
          LokiJS scans every blob of the account on each Get Blob: at 10,000 blobs the
          emulator's one Node.js thread, not the client, sets the pace.
  sql     Azurite with its metadata in MariaDB (AZURITE_DB=mysql://...), where a lookup is an
          indexed query, and blob data in a temp folder. MariaDB comes from Debian's packages
          (mariadb-server-core, installed with apt-get when missing; no system service is
          set up or started). It gets a fresh data folder and a Unix socket under a temp
          folder, no TCP port, and is stopped and removed at exit.

Used as a module (scripts/bench, scripts/bench-download) or as a wrapper that starts the
emulator, runs a command with it and stops it (scripts/bench-engine, scripts/bench-tail):

    scripts/bench_emulator.py --emulator sql [--data-on-disk] -- CMD ARGS...

CMD gets BATCHOUT_AZURITE_BLOB_ENDPOINT (devstoreaccount1 there) and BENCH_EMULATOR_PIDS
("Azurite=PID,MariaDB=PID"), so it can read the emulator's CPU time from /proc.
"""
import atexit
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
ACCOUNT = "devstoreaccount1"
KINDS = ("memory", "sql")
DESCRIBE = {
    "memory": "Azurite 3.35, metadata in memory (LokiJS)",
    "sql": "Azurite 3.35, metadata in MariaDB (SQL), blob data on disk",
}
MARIADB_PACKAGES = ["mariadb-server-core", "mariadb-client-core"]


def log(msg):
    print(f"bench-emulator: {msg}", file=sys.stderr, flush=True)


def _die_with_parent():
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: never outlive the bench


def _stop_on_signals():
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: sys.exit(130))


def cpu_seconds(pid):
    """CPU seconds (user + system) process `pid` has used so far, or 0 when unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def pids_from_env():
    """{"Azurite": pid, ...} from BENCH_EMULATOR_PIDS (set by the wrapper or scripts/bench)."""
    out = {}
    for part in os.environ.get("BENCH_EMULATOR_PIDS", "").split(","):
        name, _, pid = part.partition("=")
        if pid.isdigit():
            out[name] = int(pid)
    return out


def emulator_cpu(pids):
    """{"Azurite": seconds, "MariaDB": seconds} so far, for the processes in `pids`."""
    return {name: cpu_seconds(pid) for name, pid in pids.items()}


def cpu_delta(before, after):
    return {name: after[name] - before.get(name, 0.0) for name in after}


def _mariadbd():
    return shutil.which("mariadbd") or (Path("/usr/sbin/mariadbd").exists() and "/usr/sbin/mariadbd")


def ensure_mariadb():
    """Install MariaDB's server and client binaries (no service) when they are missing."""
    if _mariadbd() and shutil.which("mariadb-install-db"):
        return
    log(f"installing {' '.join(MARIADB_PACKAGES)} (apt-get)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *MARIADB_PACKAGES],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    if not _mariadbd():
        sys.exit("bench-emulator: mariadbd is still missing after installing MariaDB")


class Emulator:
    """One Azurite (and its MariaDB for `sql`), started now and stopped at exit."""

    def __init__(self, kind, accounts=(ACCOUNT,), data_on_disk=False):
        if kind not in KINDS:
            sys.exit(f"bench: unknown emulator {kind!r}; one of: {', '.join(KINDS)}")
        self.kind = kind
        self.description = DESCRIBE[kind]
        if kind == "memory" and data_on_disk:
            self.description = "Azurite 3.35, metadata in memory (LokiJS), blob data on disk"
        self.pids = {}
        self._procs = []
        self.dir = Path(tempfile.mkdtemp(prefix="bench-emulator-"))
        atexit.register(self.stop)
        _stop_on_signals()
        db = self._start_mariadb() if kind == "sql" else None
        self.base = self._start_azurite(accounts, db, on_disk=data_on_disk or kind == "sql")
        log(f"{self.description} at {self.base}")

    @property
    def endpoint(self):
        """The devstoreaccount1 endpoint (`--store azurite` with BATCHOUT_AZURITE_BLOB_ENDPOINT)."""
        return f"{self.base}/{ACCOUNT}"

    def env(self):
        """Variables that tell a child script about this emulator."""
        return {"BATCHOUT_AZURITE_BLOB_ENDPOINT": self.endpoint,
                "BENCH_EMULATOR": self.kind,
                "BENCH_EMULATOR_DESCRIPTION": self.description,
                "BENCH_EMULATOR_PIDS": ",".join(f"{k}={v}" for k, v in self.pids.items())}

    def cpu(self):
        return emulator_cpu(self.pids)

    def _spawn(self, name, cmd, **kw):
        p = subprocess.Popen(cmd, preexec_fn=_die_with_parent, **kw)
        self._procs.append(p)
        self.pids[name] = p.pid
        return p

    def _start_mariadb(self):
        ensure_mariadb()
        data, sock = self.dir / "mariadb", self.dir / "mariadb.sock"
        init = self.dir / "init.sql"
        init.write_text("CREATE DATABASE IF NOT EXISTS azurite_blob;\n")
        as_root = ["--user=root"] if os.geteuid() == 0 else []  # mariadbd refuses root otherwise
        subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={data}", *as_root,
                        "--auth-root-authentication-method=normal", "--skip-test-db"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Tuned as an emulator's database, like Azurite's own in-memory mode: no binary log,
        # the redo log written at each commit but synced once a second.
        self._spawn("MariaDB", [
            _mariadbd(), "--no-defaults", f"--datadir={data}", f"--socket={sock}", "--skip-networking",
            f"--pid-file={self.dir / 'mariadb.pid'}", f"--log-error={self.dir / 'mariadb.err'}",
            f"--init-file={init}", "--skip-log-bin", "--innodb-flush-log-at-trx-commit=2",
            "--innodb-buffer-pool-size=512M", "--max-connections=200", *as_root,
        ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while not sock.exists():
            if self._procs[-1].poll() is not None or time.time() > deadline:
                err = (self.dir / "mariadb.err")
                tail = err.read_text()[-2000:] if err.exists() else ""
                sys.exit(f"bench-emulator: MariaDB did not start\n{tail}")
            time.sleep(0.1)
        return f"mysql://root@localhost/azurite_blob?socketPath={sock}"

    def _start_azurite(self, accounts, db, on_disk):
        bin_ = ROOT / "tools/azurite/node_modules/.bin/azurite-blob"
        if not bin_.exists():
            subprocess.run([str(ROOT / "scripts/setup")], check=True)
        env = dict(os.environ, AZURITE_ACCOUNTS=";".join(f"{a}:{KEY}" for a in accounts))
        env.pop("AZURITE_DB", None)
        store = ["--location", str(self.dir / "azurite")] if on_disk else ["--inMemoryPersistence"]
        if db:
            env["AZURITE_DB"] = db
        p = self._spawn("Azurite", [
            str(bin_), "--blobHost", "127.0.0.1", "--blobPort", "0", *store,
            "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry",
        ], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=str(self.dir), env=env)
        seen = []
        for line in p.stdout:
            seen.append(line)
            if "listens on http://127.0.0.1:" in line:
                port = int(line.rsplit(":", 1)[1].strip().rstrip("/"))
                break
        else:
            sys.exit("bench-emulator: Azurite exited before listening\n" + "".join(seen[-20:]))
        # Keep draining its output so it never blocks.
        threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()
        return f"http://127.0.0.1:{port}"

    def stop(self):
        """Azurite first (it holds connections to MariaDB), then MariaDB; then the temp folder."""
        for p in reversed(self._procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self._procs.clear()
        shutil.rmtree(self.dir, ignore_errors=True)


def parse_emulator_arg(args, default="memory"):
    """Remove `--emulator KIND` (or `--emulator=KIND`) from args; return KIND."""
    kind = default
    for i, a in enumerate(list(args)):
        if a == "--emulator" and i + 1 < len(args):
            kind = args[i + 1]
            del args[i:i + 2]
            break
        if a.startswith("--emulator="):
            kind = a.split("=", 1)[1]
            del args[i]
            break
    if kind not in KINDS:
        sys.exit(f"bench: unknown emulator {kind!r}; one of: {', '.join(KINDS)}")
    return kind


def main():
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return
    kind = parse_emulator_arg(args)
    on_disk = "--data-on-disk" in args[:args.index("--")] if "--" in args else False
    if "--" not in args:
        sys.exit("bench-emulator: usage: bench_emulator.py --emulator memory|sql [--data-on-disk] -- CMD ARGS...")
    cmd = args[args.index("--") + 1:]
    emu = Emulator(kind, data_on_disk=on_disk)
    code = subprocess.run(cmd, env=dict(os.environ, **emu.env())).returncode
    emu.stop()
    sys.exit(code)


if __name__ == "__main__":
    main()
