-- POST /api/order with the keys listed in $BENCH_KEYS, one per line, taken in turn.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")

local body = '{"diner":{"id":719,"name":"j","email":"j@jwt.com"},'
  .. '"order":{"items":[{"menuId":1,"description":"Veggie","price":0.0038}],'
  .. '"storeId":"5","franchiseId":4,"id":278}}'
local requests = {}
local n = 0
local threads = 0

setup = function(thread)
  thread:set("id", threads)
  threads = threads + 1
end

init = function(args)
  for key in io.lines(os.getenv("BENCH_KEYS")) do
    if key ~= "" then
      requests[#requests + 1] = wrk.format("POST", "/api/order", {
        ["Authorization"] = "Bearer " .. key,
        ["Content-Type"] = "application/json",
      }, body)
    end
  end
  -- Threads start at different keys so they do not walk the list in step.
  n = (id * 7919) % #requests
end

request = function()
  n = n % #requests + 1
  return requests[n]
end
