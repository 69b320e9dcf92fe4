package store

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gearsd/gearsd/resp"
)

// TestStatsMatchRedis runs commands of every family, each from the same
// keys, on a redis-server and on a Keyspace, and compares what each adds to
// keyspace_hits, keyspace_misses and expired_keys. The second list runs
// where keys have just expired (active expiry off on both sides).
func TestStatsMatchRedis(t *testing.T) {
	server := startRedis(t)
	if v, err := server.do([]string{"DEBUG", "SET-ACTIVE-EXPIRE", "0"}); err != nil || v.Kind == resp.KindError {
		t.Fatalf("DEBUG SET-ACTIVE-EXPIRE 0: %v %v", v, err)
	}
	ks := NewKeyspace(Options{ActiveExpireInterval: -1})
	defer ks.Close()
	d := &differ{t: t, redis: server, ks: ks}
	keys := [][]string{
		{"FLUSHALL"},
		{"SET", "s", "hello"}, {"SET", "n", "10"},
		{"HSET", "h", "f", "1", "g", "2"},
		{"RPUSH", "l", "a", "b", "c"},
		{"SADD", "st", "a", "b"}, {"SADD", "st2", "b", "c"},
		{"ZADD", "z", "1", "a", "2", "b"}, {"ZADD", "z2", "2", "b", "3", "c"},
		{"XADD", "x", "1-1", "f", "v"}, {"XGROUP", "CREATE", "x", "g", "0"},
	}
	expiring := [][]string{
		{"FLUSHALL"},
		{"SET", "e", "v", "PX", "1"},
		{"HSET", "he", "f", "v"}, {"PEXPIRE", "he", "1"},
		{"RPUSH", "le", "a"}, {"PEXPIRE", "le", "1"},
	}
	var total [3]int64
	for _, list := range []struct {
		cmds  string
		setup [][]string
		wait  bool
	}{{statsCommands, keys, false}, {statsExpiredCommands, expiring, true}} {
		for _, line := range strings.Split(list.cmds, "\n") {
			args := strings.Fields(line)
			if len(args) == 0 {
				continue
			}
			for _, c := range list.setup {
				d.both(c)
			}
			if list.wait {
				time.Sleep(3 * time.Millisecond) // past every PX 1
			}
			r0, s0 := redisStats(t, server), storeStats(ks)
			rv, sv := d.both(args)
			r1, s1 := redisStats(t, server), storeStats(ks)
			var rd, sd [3]int64
			for i := range rd {
				rd[i], sd[i] = r1[i]-r0[i], s1[i]-s0[i]
				total[i] += rd[i]
			}
			t.Logf("%-36s hits, misses, expired: %v", line, rd)
			if rd != sd {
				t.Errorf("%q: redis-server counts %v, gearsd %v (replies %v, %v)", args, rd, sd, short(rv), short(sv))
			}
		}
	}
	if total[0] == 0 || total[1] == 0 || total[2] == 0 {
		t.Errorf("the commands counted %v on redis-server: not every counter was exercised", total)
	}
}

// redisStats reads keyspace_hits, keyspace_misses and expired_keys from
// INFO stats.
func redisStats(t *testing.T, server *respConn) [3]int64 {
	t.Helper()
	v, err := server.do([]string{"INFO", "stats"})
	if err != nil {
		t.Fatal(err)
	}
	var out [3]int64
	found := 0
	for _, line := range strings.Split(v.Str, "\r\n") {
		name, val, _ := strings.Cut(line, ":")
		for i, f := range []string{"keyspace_hits", "keyspace_misses", "expired_keys"} {
			if name == f {
				out[i], err = strconv.ParseInt(val, 10, 64)
				if err != nil {
					t.Fatalf("INFO stats %s: %q", f, val)
				}
				found++
			}
		}
	}
	if found != 3 {
		t.Fatalf("INFO stats lacks a counter: %q", v.Str)
	}
	return out
}

func storeStats(ks *Keyspace) [3]int64 {
	h, m, e := ks.StatsCounters()
	return [3]int64{h, m, e}
}

func short(v resp.Value) string {
	if s := fmt.Sprint(v); len(s) <= 40 {
		return s
	} else {
		return s[:40] + "..."
	}
}

const statsCommands = `
GET s
GET nope
GET h
MGET s nope n h
STRLEN s
STRLEN nope
GETRANGE s 0 1
SUBSTR nope 0 1
GETDEL s
GETDEL nope
GETEX s
GETEX nope PX 100
GETSET s v
GETSET nope v
SET s v GET
SET nope v GET
SET s v NX
SET s v XX
SETNX s v
MSETNX a 1 b 2
APPEND s x
INCR n
INCRBYFLOAT n 1.5
SETRANGE s 0 x
EXISTS s nope h s
TYPE s
TYPE nope
TTL s
PTTL nope
EXPIRETIME s
PEXPIRETIME nope
TOUCH s nope
DEL s nope
UNLINK s nope
EXPIRE s 100
PERSIST s
RENAME s s9
RENAMENX s h
COPY s s9
COPY nope s9
KEYS *
SCAN 0
SCAN 0 TYPE string
SCAN 0 MATCH s* TYPE hash
DBSIZE
OBJECT ENCODING s
OBJECT ENCODING nope
OBJECT REFCOUNT s
HGET h f
HGET nope f
HMGET h f g x
HGETALL h
HKEYS nope
HVALS h
HLEN h
HEXISTS h f
HSTRLEN h f
HRANDFIELD h
HSCAN h 0
HSET h f 2
HSETNX h f 2
HDEL h f
HINCRBY h f 1
HINCRBYFLOAT h f 1
LLEN l
LRANGE l 0 -1
LRANGE nope 0 -1
LINDEX l 0
LPOS l b
LPUSH l x
LPUSHX nope x
RPUSHX l x
LPOP l
RPOP nope
LSET l 0 x
LINSERT l BEFORE a x
LREM l 0 a
LTRIM l 0 1
LMOVE l l2 LEFT RIGHT
RPOPLPUSH nope l2
BLPOP l 1
BRPOP l nope 1
BLMOVE l l3 LEFT LEFT 1
SMEMBERS st
SISMEMBER st a
SMISMEMBER st a z
SCARD nope
SRANDMEMBER st
SINTER st st2 nope
SUNION st st2
SDIFF st st2
SINTERCARD 2 st st2
SSCAN st 0
SADD st c
SREM st a
SMOVE st st2 a
SMOVE nope st2 a
SINTERSTORE d st st2
SUNIONSTORE d st nope
SDIFFSTORE d st st2
SPOP nope
ZSCORE z a
ZMSCORE z a q
ZCARD z
ZCOUNT z 0 10
ZLEXCOUNT z - +
ZRANK z a
ZREVRANK nope a
ZRANDMEMBER z
ZSCAN z 0
ZRANGE z 0 -1
ZREVRANGE z 0 -1
ZRANGEBYSCORE z 0 10
ZREVRANGEBYSCORE z 10 0
ZRANGEBYLEX z - +
ZREVRANGEBYLEX z + -
ZUNION 2 z z2
ZINTER 2 z nope
ZDIFF 2 z z2
ZADD z 5 e
ZINCRBY z 1 a
ZREM z a
ZPOPMIN z
ZPOPMAX nope
ZRANGESTORE d z 0 -1
ZREMRANGEBYRANK z 0 0
ZREMRANGEBYSCORE z 0 1
ZREMRANGEBYLEX z - +
ZUNIONSTORE d 2 z z2
ZINTERSTORE d 2 z nope
ZDIFFSTORE d 2 z z2
XLEN x
XRANGE x - +
XREVRANGE nope + -
XREAD STREAMS x nope 0 0
XREAD COUNT 1 STREAMS x 0
XREADGROUP GROUP g c STREAMS x >
XPENDING x g
XINFO STREAM x
XINFO GROUPS x
XINFO CONSUMERS x g
XADD x * a b
XDEL x 1-1
XTRIM x MAXLEN 0
XSETID x 5-5
XGROUP CREATE x g2 $
XGROUP CREATECONSUMER x g c2
XACK x g 1-1
XCLAIM x g c 0 1-1
XAUTOCLAIM x g c 0 0
RANDOMKEY
`

// statsExpiredCommands run when e, he and le have just expired.
const statsExpiredCommands = `
GET e
MGET e e
EXISTS e he le
TYPE e
TTL e
HGET he f
LRANGE le 0 -1
SET e v
SET e v GET
GETDEL e
INCR e
DEL e he nope
EXPIRE e 10
RENAME e x
COPY e x
KEYS *
SCAN 0
SCAN 0 TYPE string
SCAN 0 TYPE none
SCAN 0 MATCH h*
DBSIZE
RANDOMKEY
LPUSH le x
HSET he f v
OBJECT ENCODING he
`
