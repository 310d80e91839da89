-- One exact rate-limit decision of apisec (RedisBucketStore, optimization: none), run atomically
-- by Redis: refill every bandwidth of the bucket to "now", then take the tokens from all of them
-- or from none. The arithmetic is bucket4j's (BucketState64BitsInteger), so a bucket behaves here
-- as it did with bucket4j's compare-and-swap, in one round trip instead of two or more.
--
-- KEYS[1]  the bucket, a hash: c = the limits it was written under; per bandwidth i,
--          t<i> = last refill (microseconds of the store's clock), s<i> = whole tokens,
--          e<i> = greedy: the part of the next token refilled so far, in units of 1/period'
-- ARGV[1]  now, microseconds of the store's clock (every node passes its own: clock skew between
--          nodes shifts refills by the skew, as it did with bucket4j's client clock)
-- ARGV[2]  tokens to take
-- ARGV[3]  the limits, as text; a bucket written under other limits starts again full
-- ARGV[4]  milliseconds the key outlives the moment the bucket is full again
-- ARGV[5]  n, the number of bandwidths; then per bandwidth: capacity, period, refill, interval
--          greedy (interval 0): period (microseconds) and refill tokens divided by their greatest
--          common divisor g, which changes no quotient (every remainder is a multiple of g) and
--          keeps capacity * period small; interval (1): period in microseconds, refill tokens
--
-- Lua numbers are doubles, exact for integers below 2^53. The store sends only limits for which
-- capacity * period (greedy) is below 2^53 and times in microseconds (2^53 us is the year 2255),
-- so every sum, product and remainder below is an exact integer: a product that could exceed
-- 2^53 (elapsed time * refill after a long idle) is only compared with a value below 2^53, which
-- rounding cannot turn around; math.fmod is exact, and '/' divides only exact multiples (except
-- for the key's time-to-live, where rounding up by a millisecond is harmless). No number goes
-- through tostring or '..', which keep 14 digits; redis.call and the reply keep all 17.
-- Returns {1 if taken else 0, then per bandwidth: s<i>, and e<i> (greedy) or t<i> (interval)},
-- after the refill (and the taking, if taken).

local now = tonumber(ARGV[1])
local tokens = tonumber(ARGV[2])
local n = tonumber(ARGV[5])

local fields = {'c'}
for i = 1, n do
  fields[3 * i - 1] = 't' .. i
  fields[3 * i] = 's' .. i
  fields[3 * i + 1] = 'e' .. i
end
local stored = redis.call('HMGET', KEYS[1], unpack(fields))
local fresh = stored[1] ~= ARGV[3]

local capacity, period, refill, interval = {}, {}, {}, {}
local last, size, part = {}, {}, {}
local admit = true
for i = 1, n do
  local a = 5 + 4 * (i - 1)
  local c, p, r = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local whole = ARGV[a + 4] == '1'
  local t, s, e
  if fresh then
    t, s, e = now, c, 0
  else
    t, s, e = tonumber(stored[3 * i - 1]), tonumber(stored[3 * i]), tonumber(stored[3 * i + 1])
  end
  if now > t then
    if whole then
      -- whole refills at t + k * period only
      local due = now - math.fmod(now - t, p)
      if due > t then
        local periods = (due - t) / p
        t = due
        if s < c then
          s = s + periods * r
          if s >= c then
            s = c
          end
        end
      end
    else
      local elapsed = now - t
      t = now
      if s < c then
        -- missing: what a full bucket lacks, in units of 1/period' token
        local missing = (c - s) * p - e
        local added = elapsed * r
        if added >= missing then
          s, e = c, 0
        else
          local fine = e + added
          local rest = math.fmod(fine, p)
          s = s + (fine - rest) / p
          e = rest
        end
      end
    end
  end
  capacity[i], period[i], refill[i], interval[i] = c, p, r, whole
  last[i], size[i], part[i] = t, s, e
  if s < tokens then
    admit = false
  end
end

local reply = {admit and 1 or 0}
for i = 1, n do
  if admit then
    size[i] = size[i] - tokens
  end
  reply[2 * i] = size[i]
  reply[2 * i + 1] = interval[i] and last[i] or part[i]
end

-- a refusal writes nothing: refilling is additive, so the next decision computes the same state
-- from the stored one; a flood of refused requests costs Redis no writes
if admit then
  local update = {}
  if fresh then
    update[1], update[2] = 'c', ARGV[3]
  end
  local full = 0
  for i = 1, n do
    local j = #update
    update[j + 1], update[j + 2] = 't' .. i, last[i]
    update[j + 3], update[j + 4] = 's' .. i, size[i]
    update[j + 5], update[j + 6] = 'e' .. i, part[i]
    local deficit = capacity[i] - size[i]
    if deficit > 0 then
      local micros
      if interval[i] then
        micros = last[i] + period[i] - now + (math.ceil(deficit / refill[i]) - 1) * period[i]
      else
        micros = (deficit * period[i] - part[i]) / refill[i]
      end
      if micros > full then
        full = micros
      end
    end
  end
  redis.call('HSET', KEYS[1], unpack(update))
  redis.call('PEXPIRE', KEYS[1], math.floor(full / 1000) + 1 + tonumber(ARGV[4]))
end
return reply
