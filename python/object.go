package python

/*
#include "gearsd_python.h"
*/
import "C"

import (
	"unsafe"
)

// Object is one strong reference to a Python object. See the package
// comment for who may use and release it.
type Object struct {
	p *C.PyObject
}

func newObject(p *C.PyObject) *Object {
	if p == nil {
		return nil
	}
	return &Object{p: p}
}

// DecRef releases the reference. Safe on nil. PRECONDITION: attached.
func (o *Object) DecRef() {
	if o == nil || o.p == nil {
		return
	}
	C.gd_decref(o.p)
	o.p = nil
}

// IsNone reports whether o is None. PRECONDITION: attached.
func (o *Object) IsNone() bool { return o != nil && C.gd_is_none(o.p) != 0 }

// Truthy is bool(o). PRECONDITION: attached.
func (o *Object) Truthy() (bool, error) {
	var cerr C.gd_error
	t := C.gd_truthy(o.p, &cerr)
	if t < 0 {
		return false, takeError(&cerr)
	}
	return t == 1, nil
}

// Import imports a module. PRECONDITION: attached. Returns a new reference.
func Import(name string) (*Object, error) {
	cn := C.CString(name)
	defer C.free(unsafe.Pointer(cn))
	var cerr C.gd_error
	m := C.gd_import(cn, &cerr)
	if m == nil {
		return nil, takeError(&cerr)
	}
	return newObject(m), nil
}

// NewModule creates an empty module registered in sys.modules.
// PRECONDITION: attached. Returns a new reference.
func NewModule(name string) (*Object, error) {
	cn := C.CString(name)
	defer C.free(unsafe.Pointer(cn))
	var cerr C.gd_error
	m := C.gd_new_module(cn, &cerr)
	if m == nil {
		return nil, takeError(&cerr)
	}
	return newObject(m), nil
}

// ExecInModule runs source as a module body in module's namespace; filename
// names it in tracebacks. PRECONDITION: attached.
func ExecInModule(module *Object, source, filename string) error {
	return execIn(C.gd_module_dict(module.p), source, filename)
}

func execIn(globals *C.PyObject, source, filename string) error {
	cs := C.CString(source)
	cf := C.CString(filename)
	defer C.free(unsafe.Pointer(cs))
	defer C.free(unsafe.Pointer(cf))
	var cerr C.gd_error
	if C.gd_exec(cs, cf, globals, &cerr) != 0 {
		return takeError(&cerr)
	}
	return nil
}

// Attr returns o.name. PRECONDITION: attached. Returns a new reference.
func (o *Object) Attr(name string) (*Object, error) {
	cn := C.CString(name)
	defer C.free(unsafe.Pointer(cn))
	var cerr C.gd_error
	v := C.gd_getattr(o.p, cn, &cerr)
	if v == nil {
		return nil, takeError(&cerr)
	}
	return newObject(v), nil
}

// SetAttr sets o.name = v. PRECONDITION: attached.
func (o *Object) SetAttr(name string, v *Object) error {
	cn := C.CString(name)
	defer C.free(unsafe.Pointer(cn))
	var cerr C.gd_error
	if C.gd_setattr(o.p, cn, v.p, &cerr) != 0 {
		return takeError(&cerr)
	}
	return nil
}

// Call calls o with positional arguments, each a Go value converted with
// FromGo, or an *Object passed as it is (borrowed). PRECONDITION: attached.
// Returns a new reference.
func (o *Object) Call(args ...any) (*Object, error) {
	cargs := make([]*C.PyObject, len(args))
	var owned []*Object
	defer func() {
		for _, a := range owned {
			a.DecRef()
		}
	}()
	for i, a := range args {
		if obj, ok := a.(*Object); ok {
			cargs[i] = obj.p
			continue
		}
		obj, err := FromGo(a)
		if err != nil {
			return nil, err
		}
		owned = append(owned, obj)
		cargs[i] = obj.p
	}
	var argp **C.PyObject
	if len(cargs) > 0 {
		// The array lives in C memory: cgo forbids passing Go memory that
		// holds C pointers? It does not (they are not Go pointers), but a C
		// copy keeps the call independent of Go's pointer-passing checks.
		argp = (**C.PyObject)(C.malloc(C.size_t(len(cargs)) * C.size_t(unsafe.Sizeof(cargs[0]))))
		defer C.free(unsafe.Pointer(argp))
		copy(unsafe.Slice(argp, len(cargs)), cargs)
	}
	var cerr C.gd_error
	r := C.gd_call(o.p, argp, C.int(len(cargs)), &cerr)
	if r == nil {
		return nil, takeError(&cerr)
	}
	return newObject(r), nil
}

// CallMethod is o.name(args...). PRECONDITION: attached. Returns a new
// reference.
func (o *Object) CallMethod(name string, args ...any) (*Object, error) {
	m, err := o.Attr(name)
	if err != nil {
		return nil, err
	}
	defer m.DecRef()
	return m.Call(args...)
}
