-- GET /api/infographs/status/{id}/ cycling over the ids in $IDS_FILE, as the polling cards do.
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
local auth = "Token " .. os.getenv("TOKEN")
local i = math.random(#ids)
request = function()
  i = i % #ids + 1
  return wrk.format("GET", "/api/infographs/status/" .. ids[i] .. "/", { ["Authorization"] = auth })
end
