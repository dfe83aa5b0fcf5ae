"""The PING handler a Python Discord-on-Lambda bot runs: Ed25519 with `cryptography`, then {"type":1}.

Wrapped in the same Lambda Runtime API loop a custom runtime uses, so that it is started and
invoked exactly like the Go bootstrap in the benchmark (docs/BENCHMARKS.md).
"""
import base64
import json
import os
import urllib.request

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

PUBLIC_KEY = Ed25519PublicKey.from_public_bytes(bytes.fromhex(os.environ["DISCORD_PUBLIC_KEY"]))


def handler(event):
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    body = event.get("body") or ""
    raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    try:
        PUBLIC_KEY.verify(bytes.fromhex(headers.get("x-signature-ed25519", "")),
                          headers.get("x-signature-timestamp", "").encode() + raw)
    except (InvalidSignature, ValueError):
        return {"statusCode": 401, "body": "invalid request signature"}
    if json.loads(raw).get("type") == 1:
        return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": '{"type":1}'}
    return {"statusCode": 400, "body": "unsupported"}


def main():
    base = "http://%s/2018-06-01/runtime/invocation" % os.environ["AWS_LAMBDA_RUNTIME_API"]
    while True:
        with urllib.request.urlopen(base + "/next") as resp:
            request_id = resp.headers["Lambda-Runtime-Aws-Request-Id"]
            event = json.loads(resp.read())
        try:
            result, path = handler(event), "/response"
        except Exception as err:  # noqa: BLE001 - reported to the runtime like Lambda's own client
            result, path = {"errorMessage": str(err)}, "/error"
        req = urllib.request.Request(base + "/" + request_id + path, data=json.dumps(result).encode(), method="POST")
        urllib.request.urlopen(req).close()


if __name__ == "__main__":
    main()
