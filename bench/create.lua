-- POST /api/infographs/create/ without a blog URL.
local auth = "Token " .. os.getenv("TOKEN")
local body = '{"prompt":"Benchmark infographic: rainfall by month","aspect_ratio":"16:9","resolution":"1K","number_of_infographs":1}'
request = function()
  return wrk.format("POST", "/api/infographs/create/", { ["Authorization"] = auth, ["Content-Type"] = "application/json" }, body)
end
