-- webhook_retry: a failed delivery's job is due again at the given time, one attempt more and
-- no longer claimed; a job already gone stays gone (RedisWebhookQueue.retry).
-- KEYS[1] the due set; ARGV[1] job key prefix, [2] cancel key prefix, [3] now, [4] id, [5] due time.
local job = ARGV[1] .. ARGV[4]
if redis.call('EXISTS', job) == 0 then
  return 0
end
redis.call('HINCRBY', job, 'attempts', 1)
redis.call('HSET', job, 'claimed', 0)
redis.call('ZADD', KEYS[1], ARGV[5], ARGV[4])
return 1
