"""The in-process cost of the handler's Ed25519 verify with `cryptography`, for context in
docs/BENCHMARKS.md: the same call handler.py makes (hex decode of the signature, timestamp + body,
verify), without the Runtime API or JSON. Reads PUBLIC_KEY, SIGNATURE, TIMESTAMP, BODY and
ITERATIONS; prints {"ns_per_op": N}.
"""
import json
import os
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def main():
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(os.environ["PUBLIC_KEY"]))
    sig, stamp, body = os.environ["SIGNATURE"], os.environ["TIMESTAMP"], os.environ["BODY"].encode()
    n = int(os.environ.get("ITERATIONS", "5000"))

    def verify():
        key.verify(bytes.fromhex(sig), stamp.encode() + body)

    for _ in range(200):  # warm-up
        verify()
    start = time.perf_counter_ns()
    for _ in range(n):
        verify()
    print(json.dumps({"ns_per_op": (time.perf_counter_ns() - start) / n}))


if __name__ == "__main__":
    main()
