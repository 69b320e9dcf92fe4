// Package python is gearsd's own thin cgo layer over the CPython C API
// (3.11 and newer). It is the only package that includes Python.h; every
// exported identifier is a plain Go type.
//
// Threading contract. CPython state belongs to OS threads, so every function
// here that touches Python documents one of:
//   - "attached": the calling goroutine is locked to its OS thread
//     (runtime.LockOSThread) and that thread has attached a ThreadState of
//     the interpreter the objects belong to;
//   - "detached": the calling goroutine is locked to its OS thread and that
//     thread has no current thread state.
//
// Ownership contract. An *Object is one strong reference with one owner; the
// owner calls DecRef exactly once, attached to the object's interpreter.
// Objects have no finalizers: a Go finalizer runs on a thread holding no GIL.
package python

/*
#cgo pkg-config: python3-embed
#cgo CFLAGS: -O2 -Wall -Wno-unused-function
#include "gearsd_python.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"
)

// home is the Python prefix (sys.base_prefix) of the build's libpython, set
// by the Makefile with -ldflags "-X github.com/gearsd/gearsd/python.home=..."
// when it links a Python other than the system one, so the embedded runtime
// finds its own standard library rather than the first python3 on PATH.
var home string

// Runtime is the initialised CPython runtime. There is one per process.
type Runtime struct {
	main *ThreadState // the initialising thread's main-interpreter thread state
}

var (
	initOnce sync.Once
	theRT    *Runtime
	initErr  error
)

// Initialize starts CPython once per process, without its signal handlers
// (Go owns signals). PRECONDITION: detached; the calling goroutine stays
// locked to its thread, and that thread must be the one that calls
// Finalize.
func Initialize() (*Runtime, error) {
	initOnce.Do(func() {
		var cerr C.gd_error
		chome := C.CString(home)
		defer C.free(unsafe.Pointer(chome))
		ts := C.gd_initialize(chome, &cerr)
		if ts == nil {
			initErr = takeError(&cerr)
			return
		}
		theRT = &Runtime{main: newThreadState(ts, nil)}
	})
	return theRT, initErr
}

// Finalize ends CPython. Every sub-interpreter must have ended before.
// PRECONDITION: detached, on the thread that called Initialize.
func (rt *Runtime) Finalize() {
	C.gd_finalize(rt.main.ts)
}

// Version returns the linked CPython's major and minor version.
func Version() (major, minor int) {
	v := int(C.gd_version())
	return (v >> 24) & 0xff, (v >> 16) & 0xff
}

// VersionString is "3.12" for CPython 3.12.
func VersionString() string {
	major, minor := Version()
	return fmt.Sprintf("%d.%d", major, minor)
}

// SupportsOwnGIL reports whether sub-interpreters can own their GIL (PEP 684,
// CPython 3.12+).
func SupportsOwnGIL() bool {
	major, minor := Version()
	return major > 3 || (major == 3 && minor >= 12)
}

// Error is a Python exception turned into Go: the exception's type name,
// str(value), and the formatted traceback.
type Error struct {
	Type      string
	Message   string
	Traceback string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return e.Type
	}
	return e.Type + ": " + e.Message
}

// ErrorType returns the Python exception type name of err, or "" when err is
// not a Python error.
func ErrorType(err error) string {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Type
	}
	return ""
}

// takeError converts and frees a C error.
func takeError(e *C.gd_error) error {
	if e._type == nil && e.message == nil {
		return &Error{Type: "SystemError", Message: "unknown Python failure"}
	}
	err := &Error{
		Type:      C.GoString(e._type),
		Message:   C.GoString(e.message),
		Traceback: C.GoString(e.traceback),
	}
	C.gd_error_free(e)
	return err
}
