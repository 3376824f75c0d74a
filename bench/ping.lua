-- wrk script for bench/pages.py: progress pings as the player sends them (form POSTs with a
-- session cookie and its CSRF token), each for another lecture and position.
-- wrk -s bench/ping.lua URL -- LECTURE_IDS(comma) COOKIE CSRF [COOKIE CSRF...]
local lectures, accounts, n = {}, {}, 0
local start = os.time() * 1000

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end

function init(args)
  math.randomseed(seed or 1)
  for id in string.gmatch(args[1], "[^,]+") do lectures[#lectures + 1] = id end
  for i = 2, #args - 1, 2 do accounts[#accounts + 1] = {args[i], args[i + 1]} end
end

function request()
  n = n + 1
  local account = accounts[math.random(#accounts)]
  local body = string.format(
    "lecture=%s&position=%d&event=tick&observed_at=%d&playback_id=bench-%d",
    lectures[math.random(#lectures)], math.random(0, 3000), start + n, math.random(1, 1e9))
  -- Each ping from another address, as many listeners behind one proxy: the per-address
  -- rate limit (120/min) stays in the path without refusing the whole benchmark.
  local headers = {
    ["Cookie"] = account[1],
    ["X-CSRFToken"] = account[2],
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.random(0, 255),
      math.random(0, 255), math.random(1, 254)),
  }
  return wrk.format("POST", "/player/progress", headers, body)
end

-- done(): the summary line, shared with the other script beside this one.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "summary.lua")
