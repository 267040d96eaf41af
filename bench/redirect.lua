-- wrk script for the redirect benchmark.
-- Spreads GET requests over the paths listed in $BENCH_PATHS (one per line, e.g. /r/<code>),
-- rotating through a few real-world User-Agents, counts the requests each thread sends and
-- the responses it gets by status, and writes a JSON summary to $BENCH_WRK_OUT.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local agents = {
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
}

function init(args)
  paths = {}
  for line in io.lines(os.getenv("BENCH_PATHS")) do
    if #line > 0 then table.insert(paths, line) end
  end
  -- each thread walks the list from its own offset
  cursor = (id * 7919) % #paths
  sent = 0
  statuses = {}
  referer = "https://social.example.net/post/" .. id
end

function request()
  cursor = cursor + 1
  if cursor > #paths then cursor = 1 end
  sent = sent + 1
  local headers = {
    ["User-Agent"] = agents[(sent % #agents) + 1],
    ["Referer"] = referer,
  }
  return wrk.format("GET", paths[cursor], headers)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local sent_total = 0
  local by_status = {}
  for _, thread in ipairs(threads) do
    sent_total = sent_total + thread:get("sent")
    for code, count in pairs(thread:get("statuses")) do
      by_status[tostring(code)] = (by_status[tostring(code)] or 0) + count
    end
  end
  local parts = {}
  for code, count in pairs(by_status) do table.insert(parts, string.format('"%s": %d', code, count)) end
  local out = io.open(os.getenv("BENCH_WRK_OUT"), "w")
  out:write(string.format(
    '{"requests_sent": %d, "responses": %d, "responses_by_status": {%s}, "duration_us": %d, ' ..
    '"bytes": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "stdev": %.1f, "max": %d, "p50": %d, "p90": %d, "p99": %d, "p99_9": %d}}\n',
    sent_total, summary.requests, table.concat(parts, ", "), summary.duration, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
  out:close()
end
