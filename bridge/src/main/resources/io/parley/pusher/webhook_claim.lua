-- webhook_claim: hands out due jobs, due first first, each leased until now + lease: the due
-- set then holds the lease's end, so a job whose claimer died is due again after it
-- (RedisWebhookQueue.claim). Reply: {id, payload, attempts, first} per job, flattened.
-- KEYS[1] the due set; ARGV[1] job key prefix, [2] cancel key prefix, [3] now, [4] at most, [5] lease.
local now = tonumber(ARGV[3])
local claimed = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))) do
  local job = ARGV[1] .. id
  local fields = redis.call('HMGET', job, 'payload', 'attempts', 'first')
  if fields[1] then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[5]), id)
    redis.call('HSET', job, 'claimed', 1)
    claimed[#claimed + 1] = id
    claimed[#claimed + 1] = fields[1]
    claimed[#claimed + 1] = fields[2]
    claimed[#claimed + 1] = fields[3]
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return claimed
