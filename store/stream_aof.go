package store

import (
	"strconv"

	"github.com/gearsd/gearsd/resp"
)

// How XREADGROUP, XCLAIM and XAUTOCLAIM, whose effect depends on the clock
// (delivery times, min-idle times), reach the append-only file: as Redis
// propagates them, each pending entry they touched is logged as an XCLAIM
// that sets its owner, delivery time and count outright (FORCE JUSTID,
// min-idle-time 0), an entry they dropped from the PEL as an XACK, and the
// group's position as XGROUP SETID, so that a replay at any time ends in
// the same state.

func init() {
	aofRewrites["xreadgroup"] = logXreadgroup
	aofRewrites["xclaim"] = logXclaim
	aofRewrites["xautoclaim"] = logXautoclaim
}

// logXreadgroup logs what a served XREADGROUP changed: its consumer, the
// entries it delivered (or delivered again, from the consumer's history)
// and the group's position. One that found nothing changed nothing.
func logXreadgroup(db *db, argv [][]byte, reply resp.Value, emit func(args ...[]byte)) {
	r, err := parseXread(argv, true)
	if err != nil || reply.Kind != resp.KindArray {
		return
	}
	for _, served := range reply.Array {
		if served.Kind != resp.KindArray || len(served.Array) != 2 {
			continue
		}
		key := []byte(served.Array[0].Str)
		s, _, _ := db.lookupStream(bstr(key))
		g := s.group(r.group)
		if g == nil {
			continue
		}
		emit(xgroupCreateConsumerRecord(key, r.group, r.consumer)...)
		for _, e := range served.Array[1].Array {
			if len(e.Array) == 0 {
				continue
			}
			id, _, err := parseStreamID([]byte(e.Array[0].Str), 0, idStrict)
			if err != nil {
				continue
			}
			if p := g.pel.get(id); p != nil {
				emit(pendingRecord(key, r.group, g, p)...)
			}
		}
		emit(groupStateRecord(key, r.group, g)...)
	}
}

// pendingRecord is an XCLAIM that recreates the pending entry p as it is.
func pendingRecord(key, group []byte, g *streamGroup, p *pendingEntry) [][]byte {
	return [][]byte{
		[]byte("XCLAIM"), key, group, []byte(p.consumer.name), []byte("0"), []byte(p.id.String()),
		[]byte("TIME"), strconv.AppendInt(nil, p.deliveryTime, 10),
		[]byte("RETRYCOUNT"), strconv.AppendInt(nil, p.deliveryCount, 10),
		[]byte("FORCE"), []byte("JUSTID"), []byte("LASTID"), []byte(g.lastID.String()),
	}
}

// groupStateRecord is an XGROUP SETID that sets the group's last id and
// read counter as they are.
func groupStateRecord(key, group []byte, g *streamGroup) [][]byte {
	return [][]byte{
		[]byte("XGROUP"), []byte("SETID"), key, group, []byte(g.lastID.String()),
		[]byte("ENTRIESREAD"), strconv.AppendInt(nil, g.entriesRead, 10),
	}
}

func xgroupCreateConsumerRecord(key, group, consumer []byte) [][]byte {
	return [][]byte{[]byte("XGROUP"), []byte("CREATECONSUMER"), key, group, consumer}
}

// logClaimed emits the records of an XCLAIM or XAUTOCLAIM that ran: the
// claiming consumer, if it exists now, then each id's state.
func logClaimed(db *db, argv [][]byte, ids []streamID, emit func(args ...[]byte)) {
	s, _, _ := db.lookupStream(bstr(argv[1]))
	g := s.group(argv[2])
	if g == nil {
		return
	}
	if c, _ := g.consumer(argv[3], 0, false); c != nil {
		emit(xgroupCreateConsumerRecord(argv[1], argv[2], argv[3])...)
	}
	for _, id := range ids {
		if p := g.pel.get(id); p != nil {
			emit(pendingRecord(argv[1], argv[2], g, p)...)
		} else {
			emit([]byte("XACK"), argv[1], argv[2], []byte(id.String()))
		}
	}
	emit(groupStateRecord(argv[1], argv[2], g)...)
}

// logXclaim logs every id XCLAIM named, claimed or not: an id left
// pending is logged as it stands, which changes nothing on replay.
func logXclaim(db *db, argv [][]byte, reply resp.Value, emit func(args ...[]byte)) {
	var ids []streamID
	for _, a := range argv[5:] {
		id, _, err := parseStreamID(a, 0, idStrict)
		if err != nil {
			break
		}
		ids = append(ids, id)
	}
	logClaimed(db, argv, ids, emit)
}

// logXautoclaim logs the ids XAUTOCLAIM claimed and those it dropped.
func logXautoclaim(db *db, argv [][]byte, reply resp.Value, emit func(args ...[]byte)) {
	if reply.Kind != resp.KindArray || len(reply.Array) != 3 {
		return
	}
	var ids []streamID
	for _, v := range reply.Array[1].Array {
		if v.Kind == resp.KindArray && len(v.Array) > 0 {
			v = v.Array[0]
		}
		if id, _, err := parseStreamID([]byte(v.Str), 0, idStrict); err == nil {
			ids = append(ids, id)
		}
	}
	for _, v := range reply.Array[2].Array {
		if id, _, err := parseStreamID([]byte(v.Str), 0, idStrict); err == nil {
			ids = append(ids, id)
		}
	}
	logClaimed(db, argv, ids, emit)
}
