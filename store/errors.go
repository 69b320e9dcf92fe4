package store

// Error is an error reply. Its text is exactly what Redis 7.0 puts on the
// wire after the '-', code included, so the dispatcher sends it unchanged.
// The texts below are copied from Redis 7.0 (checked against redis-server
// 7.0.15 by the differential test).
type Error string

func (e Error) Error() string { return string(e) }

// Errors shared by many commands (Redis's shared.* replies).
const (
	ErrWrongType         Error = "WRONGTYPE Operation against a key holding the wrong kind of value"
	ErrSyntax            Error = "ERR syntax error"
	ErrNotInteger        Error = "ERR value is not an integer or out of range"
	ErrNotFloat          Error = "ERR value is not a valid float"
	ErrNoSuchKey         Error = "ERR no such key"
	ErrIndexOutOfRange   Error = "ERR index out of range"
	ErrInvalidCursor     Error = "ERR invalid cursor"
	ErrOverflow          Error = "ERR increment or decrement would overflow"
	ErrDecrementOverflow Error = "ERR decrement would overflow"
	ErrNaNOrInfinity     Error = "ERR increment would produce NaN or Infinity"
	ErrNaNOrInfinityArg  Error = "ERR value is NaN or Infinity"
	ErrStringTooLong     Error = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	ErrOffsetRange       Error = "ERR offset is out of range"
	ErrMustBePositive    Error = "ERR value is out of range, must be positive"
	ErrSameObject        Error = "ERR source and destination objects are the same"
	ErrLongRange         Error = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	ErrValueRange        Error = "ERR value is out of range"
	ErrIntRange          Error = "ERR value is out of range, value must between -2147483648 and 2147483647"
	ErrDBIndex           Error = "ERR DB index is out of range"
	ErrNoLFU             Error = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
)

// Hash errors.
const (
	ErrHashNotInteger Error = "ERR hash value is not an integer"
	ErrHashNotFloat   Error = "ERR hash value is not a float"
)

// Expire option errors (EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT).
const (
	ErrExpireNXWithOthers Error = "ERR NX and XX, GT or LT options at the same time are not compatible"
	ErrExpireGTAndLT      Error = "ERR GT and LT options at the same time are not compatible"
)

// errArity is the wrong-arity error of the command named name (its
// registered, lower-case name: Redis prints cmd->fullname).
func errArity(name string) Error {
	return Error("ERR wrong number of arguments for '" + name + "' command")
}

// errInvalidExpire is Redis's addReplyErrorExpireTime for command name.
func errInvalidExpire(name string) Error {
	return Error("ERR invalid expire time in '" + name + "' command")
}

// errUnsupportedOption is EXPIRE's answer to an option it does not know.
func errUnsupportedOption(opt []byte) Error {
	return Error("ERR Unsupported option " + cString(opt))
}

// cString is b as C's %s prints it: up to the first NUL byte.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
