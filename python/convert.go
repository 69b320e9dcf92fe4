package python

/*
#include "gearsd_python.h"
*/
import "C"

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"
)

// Values cross between Go and Python in one encoded buffer per call, so a
// batch of records costs one cgo crossing, not one per object. The encoding
// is a tag byte followed by its payload (integers little-endian):
//
//	'n' None   't' True   'f' False
//	'i' int64 (8 bytes)   'd' float64 (8 bytes)
//	's' str: u32 length + bytes (Go -> Python: str if UTF-8, else bytearray)
//	'b' bytes: u32 length + bytes   'a' bytearray: u32 length + bytes
//	'l' list: u32 count + items     'm' dict: u32 count + key, value pairs
//	'o' (Python -> Go only) an object with no plain Go form
//
// Go forms: nil, bool, int/int64, float64, string, []byte, ByteArray, []any,
// []string, Dict, map[string]string; Opaque comes back for 'o'.

// ByteArray is a Python bytearray.
type ByteArray []byte

// Opaque stands for a Python object that has no plain Go form (a dict, a
// tuple, an instance...). Python's §8.2 rules send it as "PY RECORD".
type Opaque struct{}

// KV is one dict item.
type KV struct {
	Key, Value any
}

// Dict is a Python dict with its insertion order.
type Dict []KV

// Encode appends the encoding of v to buf.
func Encode(buf []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(buf, 'n'), nil
	case bool:
		if x {
			return append(buf, 't'), nil
		}
		return append(buf, 'f'), nil
	case int:
		return binary.LittleEndian.AppendUint64(append(buf, 'i'), uint64(int64(x))), nil
	case int64:
		return binary.LittleEndian.AppendUint64(append(buf, 'i'), uint64(x)), nil
	case float64:
		return binary.LittleEndian.AppendUint64(append(buf, 'd'), math.Float64bits(x)), nil
	case string:
		return appendBytes(buf, 's', x), nil
	case []byte:
		return appendBytes(buf, 'b', string(x)), nil
	case ByteArray:
		return appendBytes(buf, 'a', string(x)), nil
	case []string:
		buf = binary.LittleEndian.AppendUint32(append(buf, 'l'), uint32(len(x)))
		for _, s := range x {
			buf = appendBytes(buf, 's', s)
		}
		return buf, nil
	case []any:
		buf = binary.LittleEndian.AppendUint32(append(buf, 'l'), uint32(len(x)))
		var err error
		for _, e := range x {
			if buf, err = Encode(buf, e); err != nil {
				return nil, err
			}
		}
		return buf, nil
	case Dict:
		buf = binary.LittleEndian.AppendUint32(append(buf, 'm'), uint32(len(x)))
		var err error
		for _, kv := range x {
			if buf, err = Encode(buf, kv.Key); err != nil {
				return nil, err
			}
			if buf, err = Encode(buf, kv.Value); err != nil {
				return nil, err
			}
		}
		return buf, nil
	case map[string]string:
		buf = binary.LittleEndian.AppendUint32(append(buf, 'm'), uint32(len(x)))
		for k, s := range x {
			buf = appendBytes(buf, 's', k)
			buf = appendBytes(buf, 's', s)
		}
		return buf, nil
	}
	return nil, fmt.Errorf("python: cannot convert %T", v)
}

func appendBytes(buf []byte, tag byte, s string) []byte {
	buf = binary.LittleEndian.AppendUint32(append(buf, tag), uint32(len(s)))
	return append(buf, s...)
}

// FromGo converts a Go value (see Encode) into a new Python object.
// PRECONDITION: attached.
func FromGo(v any) (*Object, error) {
	buf, err := Encode(nil, v)
	if err != nil {
		return nil, err
	}
	return FromEncoded(buf)
}

// FromEncoded builds a Python object from an encoded buffer.
// PRECONDITION: attached. Returns a new reference.
func FromEncoded(buf []byte) (*Object, error) {
	if len(buf) == 0 {
		return nil, fmt.Errorf("python: empty value encoding")
	}
	var cerr C.gd_error
	o := C.gd_decode((*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), &cerr)
	if o == nil {
		return nil, takeError(&cerr)
	}
	return newObject(o), nil
}

// Go converts o into its Go form (see Encode; lists become []any, anything
// without a plain form Opaque). PRECONDITION: attached.
func (o *Object) Go() (any, error) {
	var out *C.char
	var n C.size_t
	var cerr C.gd_error
	if C.gd_encode(o.p, &out, &n, &cerr) != 0 {
		return nil, takeError(&cerr)
	}
	defer C.free(unsafe.Pointer(out))
	v, _, err := Decode(unsafe.Slice((*byte)(unsafe.Pointer(out)), int(n)))
	return v, err
}

// Decode reads one encoded value from buf and returns it with the rest.
func Decode(buf []byte) (any, []byte, error) {
	if len(buf) == 0 {
		return nil, nil, errMalformed
	}
	tag, buf := buf[0], buf[1:]
	switch tag {
	case 'n':
		return nil, buf, nil
	case 't':
		return true, buf, nil
	case 'f':
		return false, buf, nil
	case 'o':
		return Opaque{}, buf, nil
	case 'i', 'd':
		if len(buf) < 8 {
			return nil, nil, errMalformed
		}
		u := binary.LittleEndian.Uint64(buf)
		if tag == 'i' {
			return int64(u), buf[8:], nil
		}
		return math.Float64frombits(u), buf[8:], nil
	case 's', 'b', 'a':
		if len(buf) < 4 {
			return nil, nil, errMalformed
		}
		n := int(binary.LittleEndian.Uint32(buf))
		buf = buf[4:]
		if len(buf) < n {
			return nil, nil, errMalformed
		}
		switch tag {
		case 's':
			return string(buf[:n]), buf[n:], nil
		case 'b':
			return append([]byte(nil), buf[:n]...), buf[n:], nil
		default:
			return ByteArray(append([]byte(nil), buf[:n]...)), buf[n:], nil
		}
	case 'l':
		if len(buf) < 4 {
			return nil, nil, errMalformed
		}
		n := int(binary.LittleEndian.Uint32(buf))
		buf = buf[4:]
		list := make([]any, 0, min(n, len(buf)))
		for i := 0; i < n; i++ {
			var e any
			var err error
			if e, buf, err = Decode(buf); err != nil {
				return nil, nil, err
			}
			list = append(list, e)
		}
		return list, buf, nil
	}
	return nil, nil, errMalformed
}

var errMalformed = fmt.Errorf("python: malformed value encoding")
