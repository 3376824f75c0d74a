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

-- done(): the summary line, shared with the other script beside this one.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "summary.lua")
