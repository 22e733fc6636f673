#!/usr/bin/env python3
"""Custody over HTTP/JSON with the Python standard library alone (urllib): create a wallet, sign an
EIP-1559 transaction, and check its audit receipt: the record's inclusion proof, verified here
(RFC 9162) against the root of the signed checkpoint the daemon returns.

Environment:
  CUSTODY_API          the daemon's HTTP/JSON address (default http://127.0.0.1:7444)
  CUSTODY_ADMIN_TOKEN  file holding an admin token (creates the wallet, reads the audit log)
  CUSTODY_SIGNER_TOKEN file holding a signer token whose principal the policy allows on eth
  CUSTODY_PAYLOAD      file holding the unsigned transaction (default examples/payloads/eth-0.01.unsigned.hex)
Tokens are read from files, never from the command line.
"""
import base64
import hashlib
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid

API = os.environ.get("CUSTODY_API", "http://127.0.0.1:7444")


def token(variable):
    with open(os.environ[variable], encoding="ascii") as f:
        return f.read().strip()


def call(method, path, token_value, body=None):
    """One API call; a refusal raises with the google.rpc.Status the daemon sent (its ErrorInfo names the reason)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(API + path, data=data, method=method)
    request.add_header("Authorization", "Bearer " + token_value)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response), response.headers
    except urllib.error.HTTPError as e:
        status = json.load(e)
        reasons = [d.get("reason") for d in status.get("details", []) if d.get("@type", "").endswith("ErrorInfo")]
        raise RuntimeError(f"HTTP {e.code} {reasons}: {status.get('message')}") from None


def verify_inclusion(index, size, leaf_hash, path, root):
    """RFC 9162 section 2.1.3.2: does the path lead from the leaf at index to the root of a tree of size?"""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def main():
    admin, signer = token("CUSTODY_ADMIN_TOKEN"), token("CUSTODY_SIGNER_TOKEN")
    payload_file = os.environ.get("CUSTODY_PAYLOAD", os.path.join(os.path.dirname(__file__), "..", "..", "payloads", "eth-0.01.unsigned.hex"))
    with open(payload_file, encoding="ascii") as f:
        payload = f.read().strip()

    # A wallet made through the API has no backup of its keys: the request says it knows.
    wallet, _ = call("POST", "/v1/wallets", admin, {"name": "python-example", "kind": "WALLET_KIND_HD", "backup": "WALLET_BACKUP_NONE_ACKNOWLEDGED"})
    address, _ = call("POST", f"/v1/wallets/{wallet['walletId']}/addresses", signer, {"chain": "eth", "index": 0})
    print(f"wallet {wallet['walletId']} (backup {wallet['backup']}), eth address {address['address']}")

    # The request id makes the call idempotent: a retry gets the stored reply, never a second signature.
    request = {"requestId": "python-" + uuid.uuid4().hex, "chain": "eth", "payload": payload}
    signed, _ = call("POST", f"/v1/wallets/{wallet['walletId']}:signTransaction", signer, request)
    again, headers = call("POST", f"/v1/wallets/{wallet['walletId']}:signTransaction", signer, request)
    assert again == signed and headers.get("custody-replayed") == "true", "a retry must return the stored reply"
    print(f"signed {signed['txId']} (rule {signed['policyRule']}), audit record {signed['audit']['sequence']}")

    # The receipt: the record is in the tree a signed checkpoint commits to (signed within a second or so).
    sequence = int(signed["audit"]["sequence"])
    for _ in range(50):
        try:
            proof, _ = call("GET", f"/v1/audit/records/{sequence}/proof", admin)
            break
        except RuntimeError as e:
            if "INVALID_ARGUMENT" not in str(e):
                raise
            time.sleep(0.2)
    else:
        raise RuntimeError("no checkpoint covered the record in time")
    origin, size, root = proof["checkpoint"].split("\n")[:3]
    leaf = hashlib.sha256(b"\x00" + base64.b64decode(proof["recordData"])).digest()
    path = [base64.b64decode(p) for p in proof["path"]]
    ok = int(size) == int(proof["treeSize"]) and verify_inclusion(sequence, int(size), leaf, path, base64.b64decode(root))
    if not ok:
        raise RuntimeError(f"record {sequence}: the inclusion proof does not lead to the checkpoint's root")
    print(f"audit record {sequence} is in checkpoint {proof['checkpointIndex']} of {origin} (tree size {size})")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one line for people, exit code 1
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
