package store

import (
	"math"
	"strconv"
)

func init() { aofDumpers["stream"] = dumpStream }

// dumpStream writes a stream as Redis's rewriteStreamObject does: its
// entries with their ids (or, for an empty stream, an entry trimmed away
// at once), XSETID for the last id and counters, then each group, its
// pending entries claimed back to their consumers with their delivery
// time and count, and the consumers that have none.
func dumpStream(key []byte, obj object, emit func(args ...[]byte)) {
	s := obj.(*streamValue)
	b := func(v string) []byte { return []byte(v) }
	if s.length > 0 {
		s.each(streamID{}, streamID{math.MaxUint64, math.MaxUint64}, false, func(e *streamEntry) bool {
			args := [][]byte{b("XADD"), key, b(e.id.String())}
			for _, f := range e.fields {
				args = append(args, b(f))
			}
			emit(args...)
			return true
		})
	} else {
		emit(b("XADD"), key, b("MAXLEN"), b("0"), b("0-1"), b("x"), b("y"))
	}
	emit(b("XSETID"), key, b(s.lastID.String()),
		b("ENTRIESADDED"), strconv.AppendInt(nil, s.entriesAdded, 10),
		b("MAXDELETEDID"), b(s.maxDeletedID.String()))
	for name, g := range s.groups {
		emit(b("XGROUP"), b("CREATE"), key, b(name), b(g.lastID.String()),
			b("ENTRIESREAD"), strconv.AppendInt(nil, g.entriesRead, 10))
		for _, id := range g.pel.ids {
			p := g.pel.get(id)
			emit(b("XCLAIM"), key, b(name), b(p.consumer.name), b("0"), b(id.String()),
				b("TIME"), strconv.AppendInt(nil, p.deliveryTime, 10),
				b("RETRYCOUNT"), strconv.AppendInt(nil, p.deliveryCount, 10),
				b("JUSTID"), b("FORCE"))
		}
		for cname, c := range g.consumers {
			if c.pel.len() == 0 {
				emit(b("XGROUP"), b("CREATECONSUMER"), key, b(name), b(cname))
			}
		}
	}
}
