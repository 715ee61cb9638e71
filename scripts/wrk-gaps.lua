-- wrk script: says when the answers stop. For each wrk thread, every time more than MS
-- milliseconds (default 15) pass between two consecutive responses, prints to stderr
--   gap 41.3 ms at 2.174 s (response 271234)
-- (the time since that thread's first response). With -t1 that is the whole stream of answers
-- wrk sees: a pause of the server stops every connection at once and shows here; a connection
-- held back while the others are answered does not, though it still raises wrk's latency.
--   wrk -t1 -c50 -d5s --latency -s scripts/wrk-gaps.lua 'http://127.0.0.1:PORT/echo?msg=hello' -- 15
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } gaps_timespec;
int clock_gettime(int clk_id, gaps_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("gaps_timespec")

local function now()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local limit = 0.015
local first, last, count = nil, nil, 0

function init(args)
  if args[1] ~= nil then
    local ms = tonumber(args[1])
    if ms == nil or ms <= 0 then
      io.stderr:write("wrk-gaps.lua: '" .. args[1] .. "' is not a number of milliseconds above 0, e.g. -- 15\n")
      os.exit(2)
    end
    limit = ms / 1000
  end
end

function response(status, headers, body)
  local t = now()
  count = count + 1
  if first == nil then
    first, last = t, t
  end
  if t - last > limit then
    io.stderr:write(string.format("gap %.1f ms at %.3f s (response %d)\n", (t - last) * 1000, t - first, count))
  end
  last = t
end
