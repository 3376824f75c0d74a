-- wrk script for bench/pages.py: GETs that cycle through the paths given after "--",
-- with an optional session cookie; done() prints one machine-readable line.
-- wrk -s bench/pages.lua URL -- COOKIE|- [range=FIRST-LAST] PATH [PATH...]
local paths, headers, n = {}, {}, 0

function init(args)
  if args[1] ~= "-" then headers["Cookie"] = args[1] end
  for i = 2, #args do
    if args[i]:sub(1, 6) == "range=" then
      headers["Range"] = "bytes=" .. args[i]:sub(7)
    else
      paths[#paths + 1] = args[i]
    end
  end
end

function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
