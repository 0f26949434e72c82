import { createHash } from 'node:crypto';

/** A Lua script and its SHA-1, run with EVALSHA (EVAL when the server does not have it yet). */
export interface Script {
  readonly lua: string;
  readonly sha: string;
}

function script(lua: string): Script {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/** The server's clock in milliseconds: one clock for every process and machine that shares the store. */
const NOW = `local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

/**
 * Cooldowns as sliding-window logs: one sorted set per (handler, bucket), a use's score its time. KEYS are the logs;
 * ARGV[1] names this use, then each key's uses and window follow (ARGV[2i], ARGV[2i + 1]). Expired uses are dropped,
 * and when any log is full the script returns {0, the longest wait, that key's index (0-based)} and records nothing;
 * otherwise it records the use in every log, each expiring with its window, and returns {1}. All or none, as the
 * memory tracker takes them.
 */
export const TAKE_COOLDOWNS = script(`${NOW}
local longest, longestAt = -1, 0
for i, key in ipairs(KEYS) do
  local uses = tonumber(ARGV[i * 2])
  local window = tonumber(ARGV[i * 2 + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count >= uses then
    local oldest = redis.call('ZRANGE', key, count - uses, count - uses, 'WITHSCORES')
    local wait = tonumber(oldest[2]) + window - now
    if wait > longest then
      longest, longestAt = wait, i
    end
  end
end
if longest >= 0 then
  return {0, longest, longestAt - 1}
end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[1])
  redis.call('PEXPIRE', key, ARGV[i * 2 + 1])
end
return {1}
`);

/** Takes one use (ARGV[1]) back from every log in KEYS. */
export const REFUND_COOLDOWNS = script(`for _, key in ipairs(KEYS) do
  redis.call('ZREM', key, ARGV[1])
end
return 1
`);

/**
 * Concurrency slots as a sorted set of holders (KEYS[1]), each scored with its lease's end: leases that ran out (a
 * crashed process's) are dropped first, then the holder ARGV[1] gets a slot when fewer than ARGV[2] are held, leased
 * for ARGV[3] ms. Returns 1 with the slot, 0 when full. The set expires with the latest lease.
 */
export const ACQUIRE_SLOT = script(`${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`);

/** Extends holder ARGV[1]'s lease in KEYS[1] by ARGV[2] ms from now, if it still holds a slot; returns 1 if it did. */
export const RENEW_SLOT = script(`${NOW}
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`);
