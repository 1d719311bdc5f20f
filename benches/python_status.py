"""The Python side of scripts/bench-status: every task's status from one flat listing with
metadata, with the official azure-storage-blob SDK, by the same rules as batchout
(docs/status.md), timed in-process, printing one JSON line.

Usage: python_status.py CONTAINER   (AZURE_STORAGE_CONNECTION_STRING is set)
"""
import datetime
import json
import os
import resource
import sys
import time

from azure.storage.blob import ContainerClient

LOST_AFTER = 300.0


def parse(t):
    return datetime.datetime.fromisoformat(t.replace("Z", "+00:00")) if t else None


def judge(task, now):
    rec = task.get("record")
    if rec and rec.get("batchoutrecord") == "1" and parse(rec.get("batchoutstart")):
        if parse(rec.get("batchoutend")):
            ok = rec.get("batchoutexit") == "0" and "batchoutsignal" not in rec
            return "ok" if ok else "failed"
        alive = max(parse(rec.get("batchoutbeat")) or parse(rec["batchoutstart"]), parse(rec["batchoutstart"]))
        return "lost" if (now - alive).total_seconds() > LOST_AFTER else "running"
    last = task.get("last")
    if task.get("tracked") and last and (now - last).total_seconds() <= LOST_AFTER:
        return "running"
    return "unknown"


def main():
    cc = ContainerClient.from_connection_string(os.environ["AZURE_STORAGE_CONNECTION_STRING"], sys.argv[1])
    now = datetime.datetime.now(datetime.timezone.utc)
    counts = {s: 0 for s in ("ok", "failed", "lost", "running", "unknown")}
    start = time.perf_counter()
    first_page = None
    pages = blobs = tasks = 0
    current = None

    def done(t):
        nonlocal tasks
        if t:
            tasks += 1
            counts[judge(t, now)] += 1

    for page in cc.list_blobs(include=["metadata"]).by_page():
        pages += 1
        for b in page:
            blobs += 1
            name = b.name
            if "/" not in name or name.startswith("$"):
                continue
            task, rest = name.split("/", 1)
            if current is None or current["task"] != task:
                done(current)
                current = {"task": task, "tracked": False, "last": None}
            lm = b.last_modified
            current["last"] = lm if current["last"] is None else max(current["last"], lm)
            current["tracked"] |= b.blob_type == "AppendBlob"
            if rest == "$TaskLog/stdout.txt":
                current["record"] = b.metadata or {}
                current["stdout"] = b.size
            elif rest == "$TaskLog/stderr.txt":
                current["stderr"] = b.size
        if first_page is None:
            first_page = time.perf_counter() - start
    done(current)
    total = time.perf_counter() - start
    print(json.dumps({
        "first_page_s": first_page, "all_s": total, "requests": pages, "blobs": blobs, "tasks": tasks,
        "counts": counts, "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
