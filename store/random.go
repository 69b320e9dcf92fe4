package store

import (
	"math"
	"math/rand/v2"
)

// parseRandomCount parses the count and the flag (WITHVALUES, WITHSCORES)
// of HRANDFIELD and ZRANDMEMBER, argv[2:] of argv, as Redis does: a count
// from -LONG_MAX to LONG_MAX, halved when the flag doubles the reply.
func parseRandomCount(argv [][]byte, flag string) (count int64, withFlag bool, err error) {
	count, err = argInt(argv[2])
	if err != nil {
		return 0, false, err
	}
	if count == math.MinInt64 {
		return 0, false, ErrLongRange
	}
	if len(argv) > 4 || (len(argv) == 4 && !isOpt(argv[3], flag)) {
		return 0, false, ErrSyntax
	}
	if len(argv) == 4 {
		if count < -math.MaxInt64/2 || count > math.MaxInt64/2 {
			return 0, false, ErrValueRange
		}
		withFlag = true
	}
	return count, withFlag, nil
}

// randomSample marks k of n positions, chosen at random.
func randomSample(n, k int) []bool {
	picked := make([]bool, n)
	for _, i := range rand.Perm(n)[:k] {
		picked[i] = true
	}
	return picked
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// randomIndexes returns k distinct positions out of n, in random order.
func randomIndexes(n, k int) []int { return rand.Perm(n)[:k] }
