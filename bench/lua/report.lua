-- Shared by every bench/run row: one line bench/run parses (latencies in microseconds).
function report(summary, latency)
  local e = summary.errors
  io.write(string.format(
    "BENCH rps=%.1f p50=%d p90=%d p99=%d max=%d non2xx=%d sockerr=%d requests=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect + e.read + e.write + e.timeout, summary.requests))
end

done = function(summary, latency, requests)
  report(summary, latency)
end
