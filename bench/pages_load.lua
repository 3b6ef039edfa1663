-- wrk script for bench/pages_load.py: every request carries the next session cookie of a pool (one a line
-- in the file given after `--`), each thread starting at its own place; answers other than 200 are counted,
-- since wrk itself counts a redirect to the sign-in page as a success.
local threads = {}
local counter = 1

function setup(thread)
  thread:set("number", #threads)
  table.insert(threads, thread)
end

function init(args)
  cookies = {}
  for line in io.lines(args[1]) do
    if line ~= "" then cookies[#cookies + 1] = line end
  end
  counter = (number * 7) % #cookies
  bad = 0
end

function request()
  counter = counter % #cookies + 1
  return wrk.format("GET", nil, {Cookie = cookies[counter]})
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local not_ok = 0
  for _, thread in ipairs(threads) do not_ok = not_ok + thread:get("bad") end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f, ' ..
    '"max_us": %d, "not_200": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.mean, latency.max, not_ok, e.connect, e.read, e.write, e.timeout))
end
