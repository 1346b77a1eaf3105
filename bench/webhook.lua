-- POST pre-signed fal webhooks (Ed25519, see sign_webhooks.py) from $WEBHOOKS_FILE, one per line:
-- id|request_id|timestamp|signature_hex|body
local reqs = {}
for line in io.lines(os.getenv("WEBHOOKS_FILE")) do
  local id, rid, ts, sig, body = line:match("([^|]+)|([^|]+)|([^|]+)|([^|]+)|(.*)")
  reqs[#reqs + 1] = wrk.format("POST", "/api/infographs/webhook/" .. id .. "/", {
    ["Content-Type"] = "application/json",
    ["X-Fal-Webhook-Request-Id"] = rid,
    ["X-Fal-Webhook-User-Id"] = "bench",
    ["X-Fal-Webhook-Timestamp"] = ts,
    ["X-Fal-Webhook-Signature"] = sig,
  }, body)
end
local i = math.random(#reqs)
request = function()
  i = i % #reqs + 1
  return reqs[i]
end
