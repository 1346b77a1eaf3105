#!/usr/bin/env python3
"""Writes a JWKS with a fresh Ed25519 key and fal-style signed OK webhooks for the given jobs.

usage: sign_webhooks.py OUT_DIR < "id|fal_request_id" lines
Produces OUT_DIR/jwks.json (serve it as FAL_JWKS_URL) and OUT_DIR/webhooks.txt (for webhook.lua).
Signatures are fal's: Ed25519 over request_id \\n user_id \\n timestamp \\n hex(sha256(body)).
They stay valid for the 300 s freshness window, longer than any benchmark run.
"""
import base64, hashlib, json, sys, time
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

out = sys.argv[1]
key = Ed25519PrivateKey.generate()
raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
with open(f"{out}/jwks.json", "w") as f:
    json.dump({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": x}]}, f)
ts = str(int(time.time()))
with open(f"{out}/webhooks.txt", "w") as f:
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        job_id, rid = line.split("|")
        body = json.dumps({"request_id": rid, "gateway_request_id": rid, "status": "OK",
                           "payload": {"images": [{"url": "https://fal.media/files/bench.png",
                                                   "width": 1024, "height": 576}]}},
                          separators=(",", ":"))
        msg = f"{rid}\nbench\n{ts}\n{hashlib.sha256(body.encode()).hexdigest()}".encode()
        sig = key.sign(msg).hex()
        f.write(f"{job_id}|{rid}|{ts}|{sig}|{body}\n")
