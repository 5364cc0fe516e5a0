-- wrk: POST one vote per request, each with a new UUID (a repeat would be a cheap no-op).
-- Set by bench/run.py through the environment: BENCH_COOKIE, BENCH_TOKEN, BENCH_QUESTION,
-- BENCH_OPTION, BENCH_PATH; BENCH_FLOW=1 alternates GET question page / POST vote.
local cookie = os.getenv("BENCH_COOKIE")
local token = os.getenv("BENCH_TOKEN")
local question = os.getenv("BENCH_QUESTION")
local option = os.getenv("BENCH_OPTION")
local path = os.getenv("BENCH_PATH")
local page = os.getenv("BENCH_PAGE")
local flow = os.getenv("BENCH_FLOW") == "1"
local plain = os.getenv("BENCH_PLAIN") == "1"  -- a form POST without htmx: answered by a 303
local visit = "6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f"
local counter = 0

-- A version 7 UUID, as the question page makes them: milliseconds first, then random.
local function uuid7()
  local ms = os.time() * 1000 + counter % 1000
  local stamp = string.format("%012x", ms)
  local rest = string.gsub("7xxx-yxxx-xxxxxxxxxxxx", "[xy]", function (c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end)
  return string.sub(stamp, 1, 8) .. "-" .. string.sub(stamp, 9, 12) .. "-" .. rest
end

function setup(thread)
  thread:set("seed", math.random(1, 1e9))
end

function init(args)
  math.randomseed(seed + os.time())
end

function request()
  counter = counter + 1
  if flow and counter % 2 == 1 then
    -- The phone loads the whole question page, then answers with htmx.
    return wrk.format("GET", page, { ["Cookie"] = cookie })
  end
  local headers = { ["Cookie"] = cookie }
  if not plain then
    headers["HX-Request"] = "true"
  end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  local body = "csrf_token=" .. token .. "&visit=" .. visit .. "&uuid=" .. uuid7() ..
    "&question=" .. question .. "&option=" .. option
  return wrk.format("POST", path, headers, body)
end
