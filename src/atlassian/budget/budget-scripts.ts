/**
 * The budget's decisions as Lua, so every check-and-charge is one atomic step across all processes.
 * Times are epoch ms of the relay's clock, passed in (tests share the simulator's); numbers are
 * written with %.0f because Lua's tostring turns epoch ms into exponent notation.
 */

/**
 * KEYS: 1 app quota block, 2 site quota block, 3 burst pause (site, method, endpoint), 4 rate (site),
 * 5 window total (pool), 6 window spend by site (pool), 7 active sites (pool), 8 issue write spacing,
 * 9 lifetime points by site, 10 window spend of the active sites (pool).
 * ARGV: 1 now, 2 cost, 3 site, 4 cap of this priority, 5 fair ('1' for sync work in a shared pool),
 * 6 rate interval ms, 7 rate burst tolerance ms, 8 window end, 9 active ttl ms, 10 share retry ms,
 * 11 key ttl ms, 12 issue write ('1' when KEYS[8] applies), 13 issue write spacing ms,
 * 14 sync work ('1': the site counts as having work).
 * Returns {'ok', 0} or {reason, ms to wait}.
 *
 * The fair share is max-min: pour what is left of the cap onto the active sites' spending; the
 * level L the water reaches is what each may spend in this window while the others still have
 * work. A call of cost c by a site that spent m fits when m + c <= L, which is when the water
 * needed to raise every active site to h = m + c, f(h) = sum over active j of max(0, h - s_j),
 * is at most what is left. That needs only the active sites that spent less than h, read from a
 * sorted set of their window spend (KEYS[10]) lowest first, and stops as soon as the sum passes
 * what is left: no read of every site, no sort, and no Lua `unpack` (which fails past about 8,000
 * values). KEYS[10] holds the active sites that called in this window, scored by their window
 * spend; an active site not in it has spent nothing in this window.
 */
export const acquireScript = `
local now = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local site = ARGV[3]
local cap = tonumber(ARGV[4])
local windowEnd = tonumber(ARGV[8])
local ttl = tonumber(ARGV[11])
local function num(v) return tonumber(v or '0') or 0 end
local function fmt(v) return string.format('%.0f', v) end

for i = 1, 2 do
  local blocked = num(redis.call('GET', KEYS[i]))
  if blocked > now then return {i == 1 and 'quota' or 'quota-site', blocked - now} end
end
local paused = num(redis.call('GET', KEYS[3]))
if paused > now then return {'burst', paused - now} end
local issueNext = 0
if ARGV[12] == '1' then
  issueNext = num(redis.call('GET', KEYS[8]))
  if issueNext > now then return {'issue', issueNext - now} end
end
local interval = tonumber(ARGV[6])
local tat = math.max(num(redis.call('GET', KEYS[4])), now)
if tat - now > tonumber(ARGV[7]) then return {'rate', tat - now - tonumber(ARGV[7])} end

local total = num(redis.call('GET', KEYS[5]))
if total > 0 and total + cost > cap then return {'window', windowEnd - now} end
if ARGV[14] == '1' then
  for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[7], '-inf', now, 'LIMIT', 0, 1000)) do
    redis.call('ZREM', KEYS[7], gone)
    redis.call('ZREM', KEYS[10], gone)
  end
  redis.call('ZADD', KEYS[7], now + tonumber(ARGV[9]), site)
  redis.call('PEXPIRE', KEYS[7], ttl)
end
local mine = num(redis.call('HGET', KEYS[6], site))
if redis.call('ZSCORE', KEYS[7], site) then
  redis.call('ZADD', KEYS[10], mine, site)
  redis.call('PEXPIRE', KEYS[10], ttl)
end
if ARGV[5] == '1' and mine > 0 then
  local active = redis.call('ZCARD', KEYS[7])
  local h = mine + cost
  local remaining = math.max(0, cap - total)
  -- Every active site at 0 would take active * h; below that the call fits whatever they spent.
  if active > 1 and active * h > remaining then
    local refuse = {'share', math.min(tonumber(ARGV[10]), windowEnd - now)}
    local need = (active - redis.call('ZCARD', KEYS[10])) * h
    if need > remaining then return refuse end
    -- The lowest spenders first, in pages that double: a refusal is usually decided in the first.
    local offset, size = 0, 128
    repeat
      local rows = redis.call('ZRANGEBYSCORE', KEYS[10], '-inf', '(' .. fmt(h), 'WITHSCORES', 'LIMIT', offset, size)
      for i = 2, #rows, 2 do
        need = need + h - tonumber(rows[i])
        if need > remaining then return refuse end
      end
      offset, size = offset + size, size * 2
    until #rows < size
  end
end
redis.call('SET', KEYS[4], fmt(tat + interval), 'PX', math.max(1000, math.ceil(tat + interval - now)))
if ARGV[12] == '1' and issueNext > 0 then
  redis.call('SET', KEYS[8], fmt(now + tonumber(ARGV[13])), 'KEEPTTL')
end
redis.call('INCRBY', KEYS[5], cost)
redis.call('PEXPIRE', KEYS[5], ttl)
redis.call('HINCRBY', KEYS[6], site, cost)
redis.call('PEXPIRE', KEYS[6], ttl)
redis.call('ZADD', KEYS[10], 'XX', mine + cost, site)
redis.call('HINCRBY', KEYS[9], site, cost)
return {'ok', 0}
`;

/**
 * Corrects what a call was charged: a refund (429s and 401s cost nothing), the actual cost once
 * the caller counted the objects, or the server's own figure when it is higher.
 * KEYS: 1 window total, 2 window spend by site, 3 lifetime points by site, 4 window spend of the
 * active sites (updated only where the site is in it).
 * ARGV: 1 site, 2 delta (may be negative), 3 floor of the total (the server's spent; 0 for none),
 * 4 key ttl ms.
 */
export const adjustScript = `
local delta = tonumber(ARGV[2])
local total = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local floor = tonumber(ARGV[3])
local target = math.max(0, total + delta)
if floor > target then target = floor end
redis.call('SET', KEYS[1], string.format('%.0f', target), 'PX', tonumber(ARGV[4]))
if delta ~= 0 then
  local mine = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0') or 0
  redis.call('HSET', KEYS[2], ARGV[1], string.format('%.0f', math.max(0, mine + delta)))
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[4]))
  redis.call('ZADD', KEYS[4], 'XX', math.max(0, mine + delta), ARGV[1])
  local life = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0') or 0
  redis.call('HSET', KEYS[3], ARGV[1], string.format('%.0f', math.max(0, life + delta)))
end
return target
`;

/**
 * Sets a pause (quota block, burst pause, issue spacing) to `until` unless a later one is set.
 * KEYS: 1 the pause. ARGV: 1 until (epoch ms), 2 key ttl ms.
 */
export const pauseScript = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local untilMs = tonumber(ARGV[1])
if untilMs > current then
  redis.call('SET', KEYS[1], string.format('%.0f', untilMs), 'PX', tonumber(ARGV[2]))
end
return 1
`;
