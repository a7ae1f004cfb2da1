-- wrk script: the expected status codes (first argument, e.g. "200,302"), optional per-request
-- POST bodies (second argument: the decision run), and one machine-readable line with requests/s,
-- p50/p95/p99 (ms) and the count of answers that were not what was expected.
local counter = 0
local threads = {}
local bodies = nil

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  expected = {}
  for code in string.gmatch(args[1], "%d+") do expected[tonumber(code)] = true end
  if args[2] then  -- a file of "path body" lines, one request each, taken in turn
    bodies = {}
    for line in io.lines(args[2]) do
      local path, body = line:match("^(%S+) (.*)$")
      table.insert(bodies, {path, body})
    end
  end
  bad = 0
end

function request()
  if bodies then
    counter = counter + 1
    local item = bodies[((counter - 1) % #bodies) + 1]
    local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
    for name, value in pairs(wrk.headers) do headers[name] = value end  -- the -H cookie
    return wrk.format("POST", item[1], headers, item[2])
  end
  return wrk.request()
end

function response(status, headers, body)
  if not expected[status] then bad = bad + 1 end
end

function done(summary, latency, requests)
  local total_bad = 0
  for _, thread in ipairs(threads) do total_bad = total_bad + (thread:get("bad") or 0) end
  io.write(string.format("RESULT rps=%.1f p50=%.2f p95=%.2f p99=%.2f requests=%d bad=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests, total_bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
