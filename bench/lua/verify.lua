-- POST /api/order/verify with the ticket in $BENCH_JWT.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"jwt":"' .. os.getenv("BENCH_JWT") .. '"}'
