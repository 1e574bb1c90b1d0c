-- wrk script for bench/api/run.sh. Configured through the environment (each wrk thread has its
-- own Lua state and reads it):
--   WRK_MODE      get | list | create
--   WRK_PATH      request path (create: the collection; get: the object)
--   WRK_AUTH      Authorization header value, or empty for the bare server
--   WRK_PREFIX    username prefix for creates (unique per run)
--   WRK_DELAY_MS  when set, each connection waits this long after a response before the next
--                 request (paced runs: connections × 1000 / (delay + latency) requests/s)
-- done() prints one JSON line: requests, seconds, rate, non-2xx/3xx, socket errors, p50/p99 ms.

local mode = os.getenv("WRK_MODE") or "get"
local path = os.getenv("WRK_PATH") or "/"
local auth = os.getenv("WRK_AUTH") or ""
local prefix = os.getenv("WRK_PREFIX") or "b"
local delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "")

local threads = {}
local counter = 0
last_error = ""

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  wrk.headers["Accept"] = "application/json"
  if auth ~= "" then wrk.headers["Authorization"] = auth end
  if mode == "create" then wrk.headers["Content-Type"] = "application/json" end
end

function request()
  if mode == "create" then
    counter = counter + 1
    local body = string.format('{"username":"%s%d-%d","password":"Bench0000Passw0rd"}', prefix, thread_id or 0, counter)
    return wrk.format("POST", path, nil, body)
  end
  return wrk.format("GET", path)
end

if delay_ms ~= nil then
  function delay()
    return delay_ms
  end
end

-- Remembers the last unexpected answer, for the report (done() reads it from each thread).
function response(status, headers, body)
  if status >= 300 then last_error = status .. " " .. string.sub(body or "", 1, 160) end
end

function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    local e = t:get("last_error")
    if e ~= nil and e ~= "" then io.stderr:write("wrk: last error answer: " .. e .. "\n") end
  end
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.2f,"rate":%.0f,"non2xx":%d,"socket_errors":%d,"p50_ms":%.2f,"p99_ms":%.2f,"mean_ms":%.2f}\n',
    summary.requests, seconds, summary.requests / seconds, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.mean / 1000))
end
