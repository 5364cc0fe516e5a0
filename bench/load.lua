-- wrk script for bench/run.py: one Lua state per thread, so run it with -t N -c N (one
-- connection per thread). Each thread is a state machine driven by response(): it sends a
-- request only after the answer to the one before (gunicorn's sync workers close every
-- connection; wrk reconnects and asks request() again).
--
-- BENCH_MODE=phone   a phone after a poster scan, with a fresh cookie jar each time: GET the
--                    question page (/q/<code>, some with a signed poster ?p=), POST a vote
--                    with htmx (HX-Request), POST a wish; then the next phone.
-- BENCH_MODE=kiosk   a kiosk's visitors on one browser (its session kept): GET the start
--                    page, POST begin, POST an answer to every question (a wish in some
--                    visits, a skip in the others), until the thank-you screen.
-- BENCH_MODE=get     GET BENCH_PATH (with BENCH_COOKIE), expecting 200 and BENCH_MARKER.
--
-- An answer counts as stored only on status 200 with the screen that follows a stored
-- answer (the next question, or the thank-you screen) and without a refusal on it: the
-- "already answered" notice (class="flash") or an error (class="error"; 429 for a rate
-- limit or the kiosk's cooldown). A duplicate (a resent UUID) looks like a stored one: the
-- bench finds it when it counts the rows that arrived, by UUID.
--
-- done() prints one line, "BENCH_JSON {...}": counts, the UUIDs of the answers counted as
-- stored (with the poster label), the UUIDs sent whose answer never came back (a broken
-- connection, or on the wire when wrk stopped), latency samples in microseconds per kind
-- of request, and the first unexpected responses.

local mode = os.getenv("BENCH_MODE") or "get"
local place = os.getenv("BENCH_PLACE") or "ehp"
local origin = os.getenv("BENCH_ORIGIN") or ""
local wish_question = os.getenv("BENCH_WISH_QUESTION")
local get_path = os.getenv("BENCH_PATH") or "/"
local get_cookie = os.getenv("BENCH_COOKIE")
local marker = os.getenv("BENCH_MARKER") or ""
local antimarker = os.getenv("BENCH_ANTIMARKER")
local expected_status = tonumber(os.getenv("BENCH_STATUS") or "200")
local voter_cookie = os.getenv("BENCH_VOTER_COOKIE") or "kiosk_voter"

-- Poster tokens "label=token,label=token" (signed by run.py with the app's secret).
local posters = {}
for label, token in string.gmatch(os.getenv("BENCH_POSTERS") or "", "([^=,]+)=([^,]+)") do
  posters[#posters + 1] = { label = label, token = token }
end

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec_t;
int clock_gettime(int clk_id, bench_timespec_t *tp);
]]
local clock = ffi.new("bench_timespec_t")
local function now_us()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000000 + tonumber(clock.tv_nsec) / 1000
end

-- Wishes as people type them: line breaks, quotes, separators, other scripts.
local WISHES = {
  "Mehr Bänke im Schatten, bitte.",
  "Ein Trinkbrunnen; und Mülleimer, die öfter geleert werden.",
  'Ein "richtiger" Treffpunkt für Jugendliche.',
  "Erstens: mehr Licht.\nZweitens: weniger Autos.",
  "=1+1 (kein Formelfeld, bitte)",
  "More trees, please.",
  "Daha fazla gölge lütfen.",
  "نريد المزيد من الأشجار.",
  "Більше лавок, будь ласка.",
  "🌳 mehr Grün 🌳",
}

-- Per thread, for done() to read with thread:get. wrk 4.1 copies a table between Lua states
-- wrongly (it pops one value too many from the thread's stack: a nested table fails at once,
-- a flat one corrupts memory that a later string shows), so only strings, numbers and nil
-- cross: counts as one string, lists in chunks of 100 items, one string each.
local counts = {}
local buffers = {}
counts_text = ""
lists = "" -- the names of the lists, comma-separated
inflight_uuid = nil -- the answer on the wire, if the request carries one
local inflight = nil -- the request on the wire: { kind, uuid, label, t0 }

local function bump(name, n)
  counts[name] = (counts[name] or 0) + (n or 1)
  local parts = {}
  for key, value in pairs(counts) do
    parts[#parts + 1] = key .. "=" .. value
  end
  counts_text = table.concat(parts, ",")
end

-- Append an item (no line break in it) to a list: globals <list>_<chunk>, <list>_chunks.
local function append(list, item)
  local buffer = buffers[list]
  if not buffer then
    buffer = { items = {}, chunk = 1 }
    buffers[list] = buffer
    lists = lists == "" and list or (lists .. "," .. list)
  end
  buffer.items[#buffer.items + 1] = item
  _G[list .. "_" .. buffer.chunk] = table.concat(buffer.items, "\n")
  _G[list .. "_chunks"] = buffer.chunk
  if #buffer.items == 100 then
    buffer.chunk = buffer.chunk + 1
    buffer.items = {}
  end
end

local function sample(kind, us)
  append("samples_" .. kind, string.format("%.1f", us))
end

local problem_count = 0
local function problem(kind, status, body)
  bump("bad_" .. kind)
  problem_count = problem_count + 1
  if problem_count <= 8 then
    local text = string.gsub(string.sub(body or "", 1, 400), "%s+", " ")
    append("problems", kind .. " " .. status .. ": " .. text)
  end
end

local function has(body, text)
  return string.find(body, text, 1, true) ~= nil
end

local function urlencode(text)
  return (string.gsub(text, "[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

local function form(fields)
  local parts = {}
  for _, pair in ipairs(fields) do
    parts[#parts + 1] = pair[1] .. "=" .. urlencode(pair[2])
  end
  return table.concat(parts, "&")
end

-- The cookie jar. wrk hands response() one value per header name: of several Set-Cookie
-- headers only the last arrives (see run.py for what that changes).
local jar = {}

local function take_cookies(headers)
  local header = headers["Set-Cookie"] or headers["set-cookie"]
  if header then
    local name, value = string.match(header, "^%s*([^=;%s]+)=([^;]*)")
    if name then
      jar[name] = value
    end
  end
end

local function cookie_header()
  local parts = {}
  for name, value in pairs(jar) do
    parts[#parts + 1] = name .. "=" .. value
  end
  return table.concat(parts, "; ")
end

local function field(body, name)
  return string.match(body, 'name="' .. name .. '" value="([^"]*)"')
end

-- What a question screen offers, read from its HTML.
local function screen_of(body)
  local screen = {
    token = field(body, "csrf_token"),
    visit = field(body, "visit"),
    uuid = field(body, "uuid"),
    question = field(body, "question"),
    options = {},
    values = {},
    multi = has(body, 'type="checkbox" name="option"'),
    wish = has(body, 'name="text"'),
  }
  for id in string.gmatch(body, 'name="option" value="(%d+)"') do
    screen.options[#screen.options + 1] = id
  end
  for value in string.gmatch(body, 'name="value" value="(%d+)"') do
    screen.values[#screen.values + 1] = value
  end
  return screen
end

local function refused(body)
  return has(body, 'class="flash"') or has(body, 'class="error"')
end

local function post(path, fields)
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["HX-Request"] = "true", -- as htmx sends it: the next screen comes as a fragment
    ["Cookie"] = cookie_header(),
  }
  if origin ~= "" then
    headers["Origin"] = origin -- as a browser sends it with a POST
  end
  return wrk.format("POST", path, headers, form(fields))
end

-- The fields of an answer to this screen's question, chosen at random.
local function answer_fields(screen, token)
  local fields = {
    { "csrf_token", token },
    { "visit", screen.visit },
    { "uuid", screen.uuid },
    { "question", screen.question },
  }
  if screen.wish then
    fields[#fields + 1] = { "text", WISHES[math.random(#WISHES)] }
  elseif #screen.values > 0 then
    fields[#fields + 1] = { "value", screen.values[math.random(#screen.values)] }
  elseif screen.multi then
    local picked, count = {}, math.random(math.min(3, #screen.options))
    while count > 0 do
      local option = screen.options[math.random(#screen.options)]
      if not picked[option] then
        picked[option] = true
        fields[#fields + 1] = { "option", option }
        count = count - 1
      end
    end
  else
    fields[#fields + 1] = { "option", screen.options[math.random(#screen.options)] }
  end
  return fields
end

-- State of this thread's simulated client.
local state = "start"
local phone = nil -- the phone's screens and poster
local kiosk = nil -- the kiosk's current screen and token

function setup(thread)
  threads = threads or {}
  thread:set("seed", #threads * 7919 + 17)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed((seed or 1) + os.time())
end

local function send(kind, req, uuid, label)
  if mode == "phone" and kind ~= "page" then
    -- What the phone's jar held when it sent the answer (see the note on Set-Cookie).
    bump(kind .. (jar[voter_cookie] and "_with_id_cookie" or "_without_id_cookie"))
  end
  inflight = { kind = kind, uuid = uuid, label = label, t0 = now_us() }
  inflight_uuid = uuid
  return req
end

-- The phone -------------------------------------------------------------------------------

local function phone_request()
  if state == "start" then
    jar = {} -- a new phone: nothing from the one before
    local poster = nil
    if #posters > 0 and math.random() < 0.6 then
      poster = posters[math.random(#posters)]
    end
    phone = { label = poster and poster.label or "" }
    local path = "/q/" .. place .. (poster and ("?p=" .. poster.token) or "")
    return send("page", wrk.format("GET", path, { ["Cookie"] = cookie_header() }))
  elseif state == "vote" then
    local fields = answer_fields(phone.page, phone.page.token)
    return send("vote", post("/q/" .. place .. "/answer", fields), phone.page.uuid, phone.label)
  else -- the wish, with the answer UUID the server made for the screen after the vote
    local fields = {
      { "csrf_token", phone.page.token },
      { "visit", phone.page.visit },
      { "uuid", phone.next.uuid },
      { "question", wish_question },
      { "text", WISHES[math.random(#WISHES)] },
    }
    return send("wish", post("/q/" .. place .. "/answer", fields), phone.next.uuid, phone.label)
  end
end

local function phone_response(kind, status, headers, body)
  take_cookies(headers)
  if kind == "page" then
    local screen = screen_of(body)
    if status == 200 and screen.token and screen.uuid and screen.question and #screen.options > 0 then
      phone.page = screen
      state = "vote"
    else
      problem(kind, status, body)
      state = "start"
    end
    return
  end
  local ok
  if kind == "vote" then
    local next_screen = screen_of(body)
    ok = status == 200 and not refused(body) and next_screen.uuid ~= nil
      and next_screen.question ~= nil and next_screen.question ~= phone.page.question
    phone.next = next_screen
  else
    ok = status == 200 and not refused(body) and has(body, 'class="thanks"')
  end
  if ok then
    bump(kind .. "_stored")
    append("stored", inflight.uuid .. " " .. inflight.label)
    if kind == "vote" then
      state = "wish"
    else
      bump("phones")
      state = "start"
    end
  else
    if has(body, 'class="flash"') then
      bump(kind .. "_already_answered")
    elseif status == 429 then
      bump(kind .. "_rate_limited")
    end
    problem(kind, status, body)
    state = "start"
  end
end

-- The kiosk -------------------------------------------------------------------------------

local function kiosk_request()
  if state == "start" then
    -- Where the kiosk returns for the next person: the start page in its own language.
    return send("start", wrk.format("GET", "/k/" .. place .. "?lang=de", { ["Cookie"] = cookie_header() }))
  elseif state == "begin" then
    return send("begin", post("/k/" .. place .. "/begin", { { "csrf_token", kiosk.token } }))
  end
  local screen = kiosk.screen
  if screen.wish and math.random() >= 0.35 then
    local fields = {
      { "csrf_token", kiosk.token },
      { "visit", screen.visit },
      { "uuid", screen.uuid },
      { "question", screen.question },
      { "skip", "1" },
    }
    return send("skip", post("/k/" .. place .. "/answer", fields))
  end
  local kind = screen.wish and "wish" or "answer"
  return send(kind, post("/k/" .. place .. "/answer", answer_fields(screen, kiosk.token)), screen.uuid, "")
end

local function kiosk_response(kind, status, headers, body)
  take_cookies(headers)
  if kind == "start" then
    local token = field(body, "csrf_token")
    if status == 200 and token and has(body, 'id="begin-form"') then
      kiosk = { token = token }
      state = "begin"
    else
      problem(kind, status, body)
      state = "start"
    end
    return
  end
  local screen = screen_of(body)
  local thanks = has(body, 'class="thanks"')
  local moved = thanks or (screen.uuid ~= nil and screen.question ~= nil
    and (kind == "begin" or screen.question ~= kiosk.screen.question))
  if status ~= 200 or refused(body) or not moved then
    if status == 429 then
      bump(kind .. "_cooldown")
    end
    problem(kind, status, body)
    state = "start"
    return
  end
  if kind == "answer" or kind == "wish" then
    bump(kind .. "_stored")
    append("stored", inflight.uuid .. " ")
  end
  if thanks then
    bump("visits")
    state = "start"
  else
    kiosk.screen = screen
    state = "answer"
  end
end

-- GET a page ------------------------------------------------------------------------------

local function get_request()
  local headers = {}
  if get_cookie and get_cookie ~= "" then
    headers["Cookie"] = get_cookie
  end
  return send("get", wrk.format("GET", get_path, headers))
end

local function get_response(kind, status, headers, body)
  if status == expected_status and has(body, marker) and not (antimarker and has(body, antimarker)) then
    bump("ok")
  else
    problem(kind, status, body)
  end
end

-- wrk's hooks -----------------------------------------------------------------------------

function request()
  if inflight and not inflight.uuid and not counts.responses then
    -- wrk 4.1 calls request() once on the first thread's state to inspect the request
    -- (script_verify_request) before the thread runs: a dry run, never sent.
    inflight = nil
    inflight_uuid = nil
  end
  if inflight then
    -- The last request got no response (the connection broke): what it carried is unknown.
    if inflight.uuid then
      append("unknown", inflight.uuid)
    end
    bump("lost_" .. inflight.kind)
    inflight = nil
    inflight_uuid = nil
    state = "start"
  end
  if mode == "phone" then
    return phone_request()
  elseif mode == "kiosk" then
    return kiosk_request()
  end
  return get_request()
end

function response(status, headers, body)
  local current = inflight
  if not current then
    return
  end
  sample(current.kind, now_us() - current.t0)
  bump("responses")
  if mode == "phone" then
    phone_response(current.kind, status, headers, body or "")
  elseif mode == "kiosk" then
    kiosk_response(current.kind, status, headers, body or "")
  else
    get_response(current.kind, status, headers, body or "")
  end
  inflight = nil
  inflight_uuid = nil
end

-- JSON out --------------------------------------------------------------------------------

local function encode(value)
  local kind = type(value)
  if kind == "number" then
    if value == math.floor(value) and math.abs(value) < 1e15 then
      return string.format("%d", value)
    end
    return string.format("%.1f", value)
  elseif kind == "string" then
    return '"' .. string.gsub(value, '[%c"\\]', function(c)
      return string.format("\\u%04x", string.byte(c))
    end) .. '"'
  elseif kind == "table" then
    local parts = {}
    if #value > 0 then
      for _, item in ipairs(value) do
        parts[#parts + 1] = encode(item)
      end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    for key, item in pairs(value) do
      parts[#parts + 1] = encode(tostring(key)) .. ":" .. encode(item)
    end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif kind == "boolean" then
    return tostring(value)
  end
  return "null"
end

local function split(text, separator)
  local items = {}
  for item in string.gmatch(text, "[^" .. separator .. "]+") do
    items[#items + 1] = item
  end
  return items
end

-- A thread's list, read chunk by chunk (strings only: see above).
local function read_list(thread, list)
  local items = {}
  for chunk = 1, thread:get(list .. "_chunks") or 0 do
    for _, item in ipairs(split(thread:get(list .. "_" .. chunk) or "", "\n")) do
      items[#items + 1] = item
    end
  end
  return items
end

function done(summary, latency, requests)
  local out = {
    mode = mode,
    duration_us = summary.duration,
    requests = summary.requests,
    errors = summary.errors,
    counts = {},
    samples = {},
    stored = {},
    unknown = {},
    problems = {},
  }
  for _, thread in ipairs(threads) do
    for _, pair in ipairs(split(thread:get("counts_text") or "", ",")) do
      local name, value = string.match(pair, "^(.-)=(%d+)$")
      out.counts[name] = (out.counts[name] or 0) + tonumber(value)
    end
    for _, list in ipairs(split(thread:get("lists") or "", ",")) do
      local kind = string.match(list, "^samples_(.+)$")
      if kind then
        local all = out.samples[kind] or {}
        for _, us in ipairs(read_list(thread, list)) do
          all[#all + 1] = tonumber(us)
        end
        out.samples[kind] = all
      else
        for _, item in ipairs(read_list(thread, list)) do
          out[list][#out[list] + 1] = item
        end
      end
    end
    local last = thread:get("inflight_uuid") -- on the wire when wrk stopped
    if last then
      out.unknown[#out.unknown + 1] = last
    end
  end
  io.write("BENCH_JSON " .. encode(out) .. "\n")
end
