package store

import "unsafe"

// node is one key of the keyspace with its value. It is kept to 48 bytes
// (a Go size class) because a keyspace of a million small strings is a
// million of these: the key and a string value share one allocation, and
// the TTL lives in db.expires, which only keys with a TTL pay for.
type node struct {
	// kv holds the key's bytes followed, for a string key, by its value.
	kv   string
	klen uint32
	// enc records how a string value was last written, for OBJECT ENCODING.
	enc strEncoding
	// ttl is set when the key has an entry in db.expires.
	ttl bool
	// obj is the value of every type but string; nil for a string.
	obj object
	// next chains the nodes of one dict bucket.
	next *node
}

func (n *node) key() string { return n.kv[:n.klen] }

// str is the value of a string key.
func (n *node) str() string { return n.kv[n.klen:] }

func (n *node) isString() bool { return n.obj == nil }

// typeName is the key's TYPE.
func (n *node) typeName() string {
	if n.obj == nil {
		return "string"
	}
	return n.obj.typeName()
}

// newStringNode returns a node for key holding the string val.
func newStringNode(key string, val []byte) *node {
	return &node{kv: concat(key, val), klen: uint32(len(key))}
}

// newObjectNode returns a node for key holding obj.
func newObjectNode(key string, obj object) *node {
	return &node{kv: concat(key, nil), klen: uint32(len(key)), obj: obj}
}

// withKey returns a new node for key holding n's value (the same object,
// for a container).
func (n *node) withKey(key string) *node {
	if n.obj == nil {
		c := newStringNode(key, []byte(n.str()))
		c.enc = n.enc
		return c
	}
	return newObjectNode(key, n.obj)
}

// setStr makes n a string key holding val, written the way enc says.
func (n *node) setStr(val []byte, enc strEncoding) {
	n.kv = concat(n.key(), val)
	n.obj = nil
	n.enc = enc
}

// concat copies key and val into one new string: the node owns its bytes,
// whatever buffer they came from.
func concat(key string, val []byte) string {
	size := len(key) + len(val)
	if size == 0 {
		return ""
	}
	b := make([]byte, size)
	copy(b, key)
	copy(b[len(key):], val)
	return unsafe.String(unsafe.SliceData(b), size)
}

// bstr views b as a string without copying it. Use it only to look keys
// up: a view must never be stored, since b is the caller's buffer.
func bstr(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// object is the value of a key of any type but string.
type object interface {
	// typeName is the key's TYPE: "hash", "list", "set", "zset".
	typeName() string
	// encoding is its OBJECT ENCODING as Redis 7.0 reports it.
	encoding() string
	// clone returns a deep copy, for COPY.
	clone() object
	// len is the number of elements; a key never holds an empty object.
	len() int
}

// strEncoding is how a string value was written. Redis chooses an
// encoding when it stores a value (tryObjectEncoding) and some commands
// bypass that choice; the encoding shows in OBJECT ENCODING only.
type strEncoding uint8

const (
	// encAuto: "int" when the value is a canonical integer, else "embstr"
	// up to 44 bytes, else "raw" (SET, MSET, INCR, ...).
	encAuto strEncoding = iota
	// encNoInt: "embstr" or "raw" by length, never "int" (INCRBYFLOAT).
	encNoInt
	// encRaw: always "raw" (APPEND, SETRANGE modify a raw copy in place).
	encRaw
	// encCopied: as encAuto, but a small integer is not one of Redis's
	// shared integers (COPY duplicates it), which REFCOUNT shows.
	encCopied
)

// embstrLimit is Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT.
const embstrLimit = 44

// stringEncoding is the OBJECT ENCODING of the string value s written as enc.
func stringEncoding(s string, enc strEncoding) string {
	switch {
	case enc == encRaw:
		return "raw"
	case (enc == encAuto || enc == encCopied) && len(s) <= 20 && isInt(s):
		return "int"
	case len(s) <= embstrLimit:
		return "embstr"
	default:
		return "raw"
	}
}

func isInt(s string) bool {
	_, ok := parseInt(s)
	return ok
}
