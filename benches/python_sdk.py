"""The Python side of scripts/bench: the same listings with the official azure-storage-blob
SDK, timed in-process (interpreter start-up excluded), printing one JSON line.

Usage: python_sdk.py flat|walk|tasks CONTAINER   (AZURE_STORAGE_CONNECTION_STRING is set)
"""
import json
import os
import sys
import time

from azure.storage.blob import BlobPrefix, ContainerClient


def walk(cc, prefix=""):
    """Every blob, one folder at a time (delimiter '/'), as a folder browser does."""
    blobs = 0
    stack = [prefix]
    while stack:
        p = stack.pop()
        for item in cc.walk_blobs(name_starts_with=p or None, delimiter="/"):
            if isinstance(item, BlobPrefix):
                stack.append(item.name)
            else:
                blobs += 1
    return blobs


def main():
    command, container = sys.argv[1], sys.argv[2]
    cc = ContainerClient.from_connection_string(os.environ["AZURE_STORAGE_CONNECTION_STRING"], container)
    start = time.perf_counter()
    if command == "flat":
        count = sum(1 for _ in cc.list_blobs())
    elif command == "walk":
        count = walk(cc)
    elif command == "tasks":
        count = sum(1 for item in cc.walk_blobs(delimiter="/") if isinstance(item, BlobPrefix))
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps({"count": count, "seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    main()
