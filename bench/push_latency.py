#!/usr/bin/env python3
"""Push latency: from posting a signed webhook to the owner's open event stream carrying the job's
completion (`GET /api/events/`), one job at a time, so each sample is the whole path on one
instance: signature check, state change, the view read back, broadcast, SSE write. Polling every
3 s would average 1.5 s for the same change.

usage: push_latency.py BASE_URL TOKEN < "job_id|request_id|ts|sig|body" lines (sign_webhooks.py)
Prints: n, p50, p99, max in milliseconds. Standard library only.
"""
import http.client, json, statistics, sys, threading, time, urllib.parse

base = urllib.parse.urlparse(sys.argv[1])
token = sys.argv[2]
webhooks = [line.rstrip("\n").split("|", 4) for line in sys.stdin if line.strip()]
arrived = {}
cond = threading.Condition()


def listen():
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=60)
    conn.request("GET", "/api/events/", headers={"Authorization": f"Token {token}", "Accept": "text/event-stream"})
    resp = conn.getresponse()
    assert resp.status == 200, resp.status
    event, data = None, []
    while True:
        line = resp.fp.readline()
        if not line:
            return
        line = line.decode().rstrip("\r\n")
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())
        elif line == "":
            if event == "job" and data:
                view = json.loads("\n".join(data))
                if view.get("status") == "completed":
                    with cond:
                        arrived.setdefault(view["id"], time.perf_counter())
                        cond.notify_all()
            event, data = None, []


threading.Thread(target=listen, daemon=True).start()
time.sleep(0.5)
post = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
samples = []
for job_id, rid, ts, sig, body in webhooks:
    start = time.perf_counter()
    post.request("POST", f"/api/infographs/webhook/{job_id}/", body=body.encode(), headers={
        "content-type": "application/json", "x-fal-webhook-request-id": rid, "x-fal-webhook-user-id": "bench",
        "x-fal-webhook-timestamp": ts, "x-fal-webhook-signature": sig})
    post.getresponse().read()
    with cond:
        if not cond.wait_for(lambda: job_id in arrived, timeout=10):
            sys.exit(f"no event for {job_id} within 10 s")
        samples.append((arrived[job_id] - start) * 1000)
samples.sort()
p = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]
print(f"n={len(samples)} p50={p(0.5):.2f}ms p99={p(0.99):.2f}ms max={samples[-1]:.2f}ms")
