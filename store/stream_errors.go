package store

import "fmt"

// Stream errors, as Redis 7.0's t_stream.c words them.
const (
	ErrInvalidStreamID     Error = "ERR Invalid stream ID specified as stream command argument"
	ErrStreamIDTooSmall    Error = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
	ErrStreamIDZero        Error = "ERR The ID specified in XADD must be greater than 0-0"
	ErrStreamExhausted     Error = "ERR The stream has exhausted the last possible ID, unable to add more items"
	ErrStreamStartInterval Error = "ERR invalid start ID for the interval"
	ErrStreamEndInterval   Error = "ERR invalid end ID for the interval"
	ErrStreamMaxlenNeg     Error = "ERR The MAXLEN argument must be >= 0."
	ErrStreamLimitNeg      Error = "ERR The LIMIT argument must be >= 0."
	ErrStreamMaxlenMinid   Error = "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
	ErrStreamLimitNoTrim   Error = "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"
	ErrStreamLimitNoApprox Error = "ERR syntax error, LIMIT cannot be used without the special ~ option"
	ErrXtrimNoStrategy     Error = "ERR syntax error, XTRIM must be called with a trimming strategy"
	ErrUnbalancedStreams   Error = "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."
	ErrXreadGroupOption    Error = "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."
	ErrXreadNoackOption    Error = "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."
	ErrXreadgroupNoGroup   Error = "ERR Missing GROUP option for XREADGROUP"
	ErrXreadgroupDollar    Error = "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."
	ErrXreadGreater        Error = "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."
	ErrTimeoutNegative     Error = "ERR timeout is negative"
	ErrTimeoutRange        Error = "ERR timeout is out of range"
	ErrTimeoutNotInteger   Error = "ERR timeout is not an integer or out of range"
	ErrBlockedGroupGone    Error = "NOGROUP the consumer group this client was blocked on no longer exists"
	ErrBusyGroup           Error = "BUSYGROUP Consumer Group name already exists"
	ErrXgroupNoKey         Error = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."
	ErrEntriesReadRange    Error = "ERR value for ENTRIESREAD must be positive or -1"
	ErrXautoclaimCount     Error = "ERR COUNT must be > 0"
)

// errNoGroupRead is XREADGROUP's answer for a missing key or group.
func errNoGroupRead(key, group []byte) Error {
	return Error(fmt.Sprintf("NOGROUP No such key '%s' or consumer group '%s' in XREADGROUP with GROUP option", cString(key), cString(group)))
}

// errNoKeyOrGroup is XPENDING's, XCLAIM's and XAUTOCLAIM's answer for a
// missing key or group.
func errNoKeyOrGroup(key, group []byte) Error {
	return Error(fmt.Sprintf("NOGROUP No such key '%s' or consumer group '%s'", cString(key), cString(group)))
}

// errNoGroupForKey is XGROUP's and XINFO's answer for a missing group.
func errNoGroupForKey(group, key []byte) Error {
	return Error(fmt.Sprintf("NOGROUP No such consumer group '%s' for key name '%s'", cString(group), cString(key)))
}

// errSubcommandSyntax is addReplySubcommandSyntaxError.
func errSubcommandSyntax(argv [][]byte) Error {
	return Error(fmt.Sprintf("ERR unknown subcommand or wrong number of arguments for '%.128s'. Try %s HELP.", cString(argv[1]), upperASCII(cString(argv[0]))))
}

// errUnknownSubcommand is the dispatcher's answer to a subcommand a
// container command (XGROUP, XINFO) does not have.
func errUnknownSubcommand(argv [][]byte) Error {
	return Error(fmt.Sprintf("ERR unknown subcommand '%.128s'. Try %s HELP.", cString(argv[1]), upperASCII(cString(argv[0]))))
}

func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
	return string(b)
}
