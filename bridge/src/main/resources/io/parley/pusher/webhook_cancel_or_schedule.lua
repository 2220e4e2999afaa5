-- webhook_cancel_or_schedule: cancels the job waiting under a cancel key, or else adds a job due
-- now, as one step (RedisWebhookQueue.cancelOrSchedule). A job is waiting while it is not
-- claimed and its first due time is still ahead. Reply: 1 cancelled, 0 scheduled (or, with no
-- payload, nothing to do).
-- KEYS[1] the due set; ARGV[1] job key prefix, [2] cancel key prefix, [3] now,
-- [4] cancel key, [5] id of the new job, [6] its payload ('' for none: only cancel).
local now = tonumber(ARGV[3])
local cancel = ARGV[2] .. ARGV[4]
local pending = redis.call('GET', cancel)
if pending then
  local job = ARGV[1] .. pending
  local state = redis.call('HMGET', job, 'first', 'claimed')
  if state[1] and state[2] == '0' and tonumber(state[1]) > now then
    redis.call('DEL', job, cancel)
    redis.call('ZREM', KEYS[1], pending)
    return 1
  end
end
if ARGV[6] == '' then
  return 0
end
redis.call('HSET', ARGV[1] .. ARGV[5], 'payload', ARGV[6], 'attempts', 0, 'first', now, 'claimed', 0, 'cancel', '')
redis.call('ZADD', KEYS[1], now, ARGV[5])
return 0
