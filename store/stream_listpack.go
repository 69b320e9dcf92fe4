package store

// The sizes of Redis's listpack encoding, as much of it as decides where
// a stream's node closes (streamAppendItem compares the tail listpack's
// size in bytes with stream-node-max-bytes).

// lpIntSize is the size in a listpack of the integer v, its backlen
// included.
func lpIntSize(v int64) int {
	switch {
	case v >= 0 && v <= 127:
		return 2
	case v >= -4096 && v <= 4095:
		return 3
	case v >= -32768 && v <= 32767:
		return 4
	case v >= -8388608 && v <= 8388607:
		return 5
	case v >= -2147483648 && v <= 2147483647:
		return 6
	}
	return 10
}

// lpStringSize is the size of the string s in a listpack: an integer if
// it reads as one (listpack's lpStringToInt64 is string2ll), else a
// length header and the bytes, plus the backlen.
func lpStringSize(s string) int {
	if v, ok := parseInt(s); ok {
		return lpIntSize(v)
	}
	n := len(s)
	switch {
	case n < 64:
		n++
	case n < 4096:
		n += 2
	default:
		n += 5
	}
	return n + lpBacklenSize(n)
}

func lpBacklenSize(n int) int {
	switch {
	case n <= 127:
		return 1
	case n < 16383:
		return 2
	case n < 2097151:
		return 3
	case n < 268435455:
		return 4
	}
	return 5
}
