-- The ceiling: a handler that returns a small JSON and touches nothing else.
request = function()
  return wrk.format("GET", "/api/health/")
end
