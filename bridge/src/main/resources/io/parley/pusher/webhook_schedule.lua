-- webhook_schedule: adds a job (RedisWebhookQueue.schedule).
-- KEYS[1] the due set; ARGV[1] job key prefix, [2] cancel key prefix, [3] now,
-- [4] id, [5] payload, [6] due time, [7] cancel key ('' for none).
local job = ARGV[1] .. ARGV[4]
redis.call('HSET', job, 'payload', ARGV[5], 'attempts', 0, 'first', ARGV[6], 'claimed', 0, 'cancel', ARGV[7])
redis.call('ZADD', KEYS[1], ARGV[6], ARGV[4])
if ARGV[7] ~= '' then
  redis.call('SET', ARGV[2] .. ARGV[7], ARGV[4])
end
return 1
