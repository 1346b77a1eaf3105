-- Many cards polling: each connection waits $THINK_MS between requests, so 100 connections
-- with 30 ms give about 3 300 requests/s over all ids in $IDS_FILE (10 000 jobs polled every 3 s).
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
local auth = "Token " .. os.getenv("TOKEN")
local think = tonumber(os.getenv("THINK_MS") or "30")
local i = math.random(#ids)
function delay()
  return think
end
request = function()
  i = i % #ids + 1
  return wrk.format("GET", "/api/infographs/status/" .. ids[i] .. "/", { ["Authorization"] = auth })
end
