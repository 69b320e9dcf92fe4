package store

import (
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
)

// Checksum records. With AOFOptions.Checksum, every batch of records the
// file is given is followed by an annotation line:
//
//	#CRC32C <8 hex digits> <length>\r\n
//
// the CRC-32C (Castagnoli) and the length of the bytes written since the
// previous annotation (or the file's start). Redis 7's loader and
// redis-check-aof skip lines that begin with '#' (they are its annotations,
// as "#TS:"), so the file stays a Redis AOF; gearsd's loader checks each
// one and refuses a file whose bytes do not match, so a flipped byte inside
// a value is found at start instead of being loaded. Records after the last
// annotation (a crash between a batch and its annotation) load unchecked,
// as a torn tail does.

var crcTable = crc32.MakeTable(crc32.Castagnoli)

const checksumPrefix = "#CRC32C "

// checksumRecord is the annotation for sum and n bytes.
func checksumRecord(sum uint32, n int64) []byte {
	return fmt.Appendf(nil, "%s%08x %d\r\n", checksumPrefix, sum, n)
}

// parseChecksumRecord reads an annotation line (with its "\r\n"); ok is
// false for any other annotation.
func parseChecksumRecord(line []byte) (sum uint32, n int64, ok bool) {
	s, found := strings.CutPrefix(string(line), checksumPrefix)
	if !found {
		return 0, 0, false
	}
	hexSum, length, found := strings.Cut(strings.TrimRight(s, "\r\n"), " ")
	if !found {
		return 0, 0, false
	}
	v, err1 := strconv.ParseUint(hexSum, 16, 32)
	l, err2 := strconv.ParseInt(length, 10, 64)
	if err1 != nil || err2 != nil || len(hexSum) != 8 || l < 0 {
		return 0, 0, false
	}
	return uint32(v), l, true
}

// checksummer accumulates the bytes since the last annotation.
type checksummer struct {
	sum uint32
	n   int64
}

func (c *checksummer) add(b []byte) {
	c.sum = crc32.Update(c.sum, crcTable, b)
	c.n += int64(len(b))
}

func (c *checksummer) reset() { *c = checksummer{} }
