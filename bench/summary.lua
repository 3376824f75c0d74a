-- The line bench/pages.py reads from every wrk run (requests, duration, socket errors, HTTP
-- errors, latency p50/p95/p99 in microseconds). Loaded by pages.lua and ping.lua.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
