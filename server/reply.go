package server

import (
	"github.com/gearsd/gearsd/resp"
	"github.com/tidwall/redcon"
)

var nullArray = []byte("*-1\r\n")

// writeValue is the one encoder of replies: every resp kind, nested arrays
// included, written through redcon's buffered Conn (flushed once per
// pipeline by redcon). Error texts go out exactly as given: Redis's carry
// their code ("ERR ...", "WRONGTYPE ..."), RedisGears' carry none and must
// not gain an "ERR " prefix. redcon's WriteError and WriteString replace CR
// and LF with spaces, as Redis does, so a multi-line Python message stays one
// RESP line.
func writeValue(conn redcon.Conn, v resp.Value) {
	switch v.Kind {
	case resp.KindNull:
		conn.WriteNull()
	case resp.KindNullArray:
		conn.WriteRaw(nullArray)
	case resp.KindSimple:
		conn.WriteString(v.Str)
	case resp.KindBulk:
		conn.WriteBulkString(v.Str)
	case resp.KindInt:
		conn.WriteInt64(v.Int)
	case resp.KindError:
		conn.WriteError(v.Str)
	case kindNoReply:
		// The handler wrote its replies itself (subscriber.go).
	case resp.KindArray:
		conn.WriteArray(len(v.Array))
		for _, e := range v.Array {
			writeValue(conn, e)
		}
	default:
		// A Kind this encoder does not know is a bug elsewhere; say so on
		// the wire rather than desynchronizing the client.
		conn.WriteError("ERR gearsd: reply of unknown kind")
	}
}
