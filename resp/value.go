// Package resp holds the reply value that every layer of gearsd passes around:
// the store answers commands with it, gears converts Python records to it, and
// the server writes it to the wire. It knows RESP2 only.
package resp

import (
	"strconv"
	"strings"
)

// Kind says which RESP2 type a Value is.
type Kind uint8

const (
	// KindNull is a null bulk string ($-1).
	KindNull Kind = iota
	// KindNullArray is a null array (*-1), as BLPOP answers on timeout.
	KindNullArray
	// KindSimple is a simple string (+OK).
	KindSimple
	// KindBulk is a bulk string ($3 foo).
	KindBulk
	// KindInt is an integer (:1).
	KindInt
	// KindArray is an array of values.
	KindArray
	// KindError is an error reply; Str holds the whole text, code included ("ERR ...").
	KindError
)

// Value is one RESP2 reply. Str carries the bytes of simple, bulk and error
// replies (a Go string may hold any bytes), Int an integer, Array the elements.
type Value struct {
	Kind  Kind
	Str   string
	Int   int64
	Array []Value
}

// Common replies.
var (
	OK        = Value{Kind: KindSimple, Str: "OK"}
	Null      = Value{Kind: KindNull}
	NullArray = Value{Kind: KindNullArray}
	Queued    = Value{Kind: KindSimple, Str: "QUEUED"}
	Zero      = Value{Kind: KindInt, Int: 0}
	One       = Value{Kind: KindInt, Int: 1}
)

// Simple returns a simple-string reply.
func Simple(s string) Value { return Value{Kind: KindSimple, Str: s} }

// Bulk returns a bulk-string reply.
func Bulk(s string) Value { return Value{Kind: KindBulk, Str: s} }

// BulkBytes returns a bulk-string reply holding a copy of b.
func BulkBytes(b []byte) Value { return Value{Kind: KindBulk, Str: string(b)} }

// Int returns an integer reply.
func Int(n int64) Value { return Value{Kind: KindInt, Int: n} }

// Bool returns :1 for true and :0 for false.
func Bool(b bool) Value {
	if b {
		return One
	}
	return Zero
}

// Array returns an array reply of the given elements.
func Array(vs ...Value) Value { return Value{Kind: KindArray, Array: vs} }

// BulkArray returns an array of bulk strings.
func BulkArray(ss []string) Value {
	vs := make([]Value, len(ss))
	for i, s := range ss {
		vs[i] = Bulk(s)
	}
	return Value{Kind: KindArray, Array: vs}
}

// Err returns an error reply with the text exactly as given. Redis's own
// errors carry their code in the text ("ERR syntax error", "WRONGTYPE ...");
// RedisGears' errors carry none ("execution plan does not exist"), so no
// prefix is ever added here.
func Err(text string) Value { return Value{Kind: KindError, Str: text} }

// Errf returns "ERR " followed by text: the form of Redis's generic errors.
func Errf(text string) Value { return Value{Kind: KindError, Str: "ERR " + text} }

// IsError reports whether v is an error reply.
func (v Value) IsError() bool { return v.Kind == KindError }

// String renders v the way redis-cli would, for logs and test failures.
func (v Value) String() string {
	var b strings.Builder
	v.write(&b)
	return b.String()
}

func (v Value) write(b *strings.Builder) {
	switch v.Kind {
	case KindNull, KindNullArray:
		b.WriteString("(nil)")
	case KindSimple:
		b.WriteString(v.Str)
	case KindBulk:
		b.WriteString(strconv.Quote(v.Str))
	case KindInt:
		b.WriteString("(integer) ")
		b.WriteString(strconv.FormatInt(v.Int, 10))
	case KindError:
		b.WriteString("(error) ")
		b.WriteString(v.Str)
	case KindArray:
		b.WriteByte('[')
		for i, e := range v.Array {
			if i > 0 {
				b.WriteString(", ")
			}
			e.write(b)
		}
		b.WriteByte(']')
	}
}
