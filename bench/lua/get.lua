-- GET of the URL wrk is given (health, JWKS).
dofile(os.getenv("BENCH_LUA") .. "/report.lua")
