package python

/*
#include "gearsd_python.h"
*/
import "C"

import (
	"fmt"
	"runtime/cgo"
	"runtime/debug"
	"unsafe"
)

// Host is what a session's redisgears module calls back into. Its methods
// run on the lane thread, attached, inside the Python call: they must not
// wait for any lane.
type Host interface {
	// Execute runs one command and returns its reply in Go form (see
	// Encode), or the text of an error reply.
	Execute(argv [][]byte) (reply any, errText string, failed bool)
	// Log writes a line from Python's log() to the server log.
	Log(level, message string)
	// ConfigGet reads the extra config dictionary.
	ConfigGet(key string) (string, bool)
	// ThreadStarted is called by a thread of the interpreter that is about
	// to start a Python thread; false refuses it. ThreadRunning is called by
	// the new thread as it starts, ThreadEnded once its function has
	// returned, each with the key of the thread's thread state
	// (ThreadState.Key). From start to end the thread counts as an owner of
	// the interpreter.
	ThreadStarted() bool
	ThreadRunning(key uintptr)
	ThreadEnded(key uintptr)
	// FDProtected reports whether fd is one of the server's own
	// descriptors (the sandbox refuses to let code touch it).
	FDProtected(fd int) bool
	// Recovered reports a Go panic recovered in one of these methods; the
	// Python caller gets an exception instead.
	Recovered(where string, v any, stack []byte)
}

// InstallNative creates the redisgears module in in and returns it (a new
// reference). host stays referenced until the interpreter ends.
// PRECONDITION: attached to in.
func (in *Interpreter) InstallNative(host Host) (*Object, error) {
	if in.native != 0 {
		in.native.Delete()
	}
	in.native = cgo.NewHandle(host)
	var cerr C.gd_error
	m := C.gd_install_native(C.uintptr_t(in.native), &cerr)
	if m == nil {
		return nil, takeError(&cerr)
	}
	return newObject(m), nil
}

func hostOf(h C.uintptr_t) Host { return cgo.Handle(h).Value().(Host) }

// recovered turns a panic below a callback into the text of a Python
// exception: a Go panic must never unwind through CPython's C frames.
func recovered(h C.uintptr_t, where string, v any) string {
	stack := debug.Stack()
	func() {
		defer func() { _ = recover() }() // a host that panics reporting it changes nothing
		hostOf(h).Recovered(where, v, stack)
	}()
	return fmt.Sprintf("gearsd internal error in %s: %v", where, v)
}

// cBuffer copies b into C memory the caller frees.
func cBuffer(b []byte) (*C.char, C.size_t) {
	if len(b) == 0 {
		return (*C.char)(C.malloc(1)), 0
	}
	p := C.CBytes(b)
	return (*C.char)(p), C.size_t(len(b))
}

//export gdGoExecute
func gdGoExecute(h C.uintptr_t, argc C.int, argv **C.char, lens *C.size_t, outLen *C.size_t, isErr *C.int) (out *C.char) {
	defer func() {
		if r := recover(); r != nil {
			*isErr = 1
			out, *outLen = cBuffer([]byte(recovered(h, "execute()", r)))
		}
	}()
	cargs := unsafe.Slice(argv, int(argc))
	clens := unsafe.Slice(lens, int(argc))
	args := make([][]byte, len(cargs))
	for i := range cargs {
		args[i] = C.GoBytes(unsafe.Pointer(cargs[i]), C.int(clens[i]))
	}
	reply, errText, failed := hostOf(h).Execute(args)
	if failed {
		*isErr = 1
		p, n := cBuffer([]byte(errText))
		*outLen = n
		return p
	}
	buf, err := Encode(nil, reply)
	if err != nil {
		*isErr = 1
		p, n := cBuffer([]byte(err.Error()))
		*outLen = n
		return p
	}
	p, n := cBuffer(buf)
	*outLen = n
	return p
}

//export gdGoLog
func gdGoLog(h C.uintptr_t, level *C.char, levelLen C.size_t, msg *C.char, msgLen C.size_t) {
	defer func() {
		if r := recover(); r != nil {
			recovered(h, "log()", r)
		}
	}()
	hostOf(h).Log(C.GoStringN(level, C.int(levelLen)), C.GoStringN(msg, C.int(msgLen)))
}

//export gdGoThreadStarted
func gdGoThreadStarted(h C.uintptr_t) (ok C.int) {
	defer func() {
		if r := recover(); r != nil {
			recovered(h, "threading", r)
			ok = 0
		}
	}()
	if hostOf(h).ThreadStarted() {
		return 1
	}
	return 0
}

//export gdGoFDProtected
func gdGoFDProtected(h C.uintptr_t, fd C.int) (protected C.int) {
	defer func() {
		if r := recover(); r != nil {
			recovered(h, "fd_protected", r)
			protected = 1 // when in doubt, refuse
		}
	}()
	if hostOf(h).FDProtected(int(fd)) {
		return 1
	}
	return 0
}

//export gdGoThreadRunning
func gdGoThreadRunning(h C.uintptr_t, key C.uintptr_t) {
	defer func() {
		if r := recover(); r != nil {
			recovered(h, "threading", r)
		}
	}()
	hostOf(h).ThreadRunning(uintptr(key))
}

//export gdGoThreadEnded
func gdGoThreadEnded(h C.uintptr_t, key C.uintptr_t) {
	defer func() {
		if r := recover(); r != nil {
			recovered(h, "threading", r)
		}
	}()
	hostOf(h).ThreadEnded(uintptr(key))
}

//export gdGoConfigGet
func gdGoConfigGet(h C.uintptr_t, key *C.char, keyLen C.size_t, outLen *C.size_t, found *C.int) (out *C.char) {
	defer func() {
		if r := recover(); r != nil {
			recovered(h, "configGet()", r)
			*found = 0
			*outLen = 0
			out = nil
		}
	}()
	v, ok := hostOf(h).ConfigGet(C.GoStringN(key, C.int(keyLen)))
	if !ok {
		*found = 0
		*outLen = 0
		return nil
	}
	*found = 1
	p, n := cBuffer([]byte(v))
	*outLen = n
	return p
}
