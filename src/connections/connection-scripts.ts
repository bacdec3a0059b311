/**
 * Lua scripts of the Redis connection store. A connection is a hash plus indexes (cloud id -> id,
 * site host -> id, account -> ids); every write that touches an index runs as one script, so a
 * reader never sees a record and its indexes disagree.
 */

/**
 * Creates or updates a site's connection in one step, so two accounts consenting to the same site
 * at once still make one connection. Indexes: cloud id -> id, site host -> id, account -> ids.
 */
export const upsertScript = `
local prefix = ARGV[9]
local id = redis.call('GET', KEYS[1])
local created = 0
if not id then
  id = ARGV[1]
  created = 1
  redis.call('SET', KEYS[1], id)
  redis.call('SADD', KEYS[2], id)
end
local key = prefix .. ':conn:' .. id
local oldHost = redis.call('HGET', key, 'siteHost')
if oldHost and oldHost ~= ARGV[4] and redis.call('GET', prefix .. ':conn-by-host:' .. oldHost) == id then
  redis.call('DEL', prefix .. ':conn-by-host:' .. oldHost)
end
redis.call('SET', prefix .. ':conn-by-host:' .. ARGV[4], id)
local accounts = redis.call('HGET', key, 'accountIds') or ''
if not string.find(' ' .. accounts .. ' ', ' ' .. ARGV[7] .. ' ', 1, true) then
  if accounts == '' then accounts = ARGV[7] else accounts = accounts .. ' ' .. ARGV[7] end
end
local status = redis.call('HGET', key, 'status')
if status ~= 'paused' then status = 'active' end
if created == 1 then redis.call('HSET', key, 'id', id, 'cloudId', ARGV[2], 'createdAt', ARGV[8]) end
redis.call('HSET', key, 'siteUrl', ARGV[3], 'siteHost', ARGV[4], 'name', ARGV[5], 'scopes', ARGV[6],
  'accountIds', accounts, 'status', status, 'updatedAt', ARGV[8])
redis.call('SADD', KEYS[3], id)
return {id, created}
`;

/** Sets fields of an existing record only; ARGV[2] names a field to delete ('' for none). */
export const patchScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[2] ~= '' then redis.call('HDEL', KEYS[1], ARGV[2]) end
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[1])
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
`;

/**
 * A site's details changed at Atlassian (rename, scopes). The host index moves with the url, so
 * webhook intake routes the renamed site's deliveries; the old host is released only if it still
 * points here. KEYS[1] the record; ARGV prefix, id, url, host, name, scopes, now.
 */
export const updateSiteScript = `
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then return 0 end
local prefix = ARGV[1]
local oldHost = redis.call('HGET', key, 'siteHost')
if oldHost and oldHost ~= ARGV[4] and redis.call('GET', prefix .. ':conn-by-host:' .. oldHost) == ARGV[2] then
  redis.call('DEL', prefix .. ':conn-by-host:' .. oldHost)
end
redis.call('SET', prefix .. ':conn-by-host:' .. ARGV[4], ARGV[2])
redis.call('HSET', key, 'siteUrl', ARGV[3], 'siteHost', ARGV[4], 'name', ARGV[5], 'scopes', ARGV[6],
  'updatedAt', ARGV[7])
return 1
`;

/**
 * An account's grant no longer reaches the site: it leaves the record's accounts and the account
 * index. With no account left an active connection becomes reauth_required (a paused or
 * disconnected one keeps the operator's status); nothing is deleted. KEYS[1] the record, KEYS[2]
 * the account's index; ARGV id, account id, now.
 */
export const removeAccountScript = `
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then return 0 end
redis.call('SREM', KEYS[2], ARGV[1])
local kept = {}
for account in string.gmatch(redis.call('HGET', key, 'accountIds') or '', '%S+') do
  if account ~= ARGV[2] then table.insert(kept, account) end
end
redis.call('HSET', key, 'accountIds', table.concat(kept, ' '), 'updatedAt', ARGV[3])
if #kept == 0 and redis.call('HGET', key, 'status') == 'active' then
  redis.call('HSET', key, 'status', 'reauth_required')
end
return 1
`;
