// reclaim.c: gives back what CPython 3.12 and 3.13 keep of a sub-interpreter
// after Py_EndInterpreter. CPython 3.11 keeps nothing (measured with
// bench/rawinterp), so everything here compiles to no-ops there.
//
// What CPython keeps, measured on this machine (docs/benchmarks.md):
//   * every interned string of the interpreter: interned strings are
//     immortal from 3.12 on and are never freed, about 1,500 (3.12) to 2,700
//     (3.13) of them for a bare interpreter;
//   * with its own obmalloc (the isolated, own-GIL configuration): all of the
//     interpreter's obmalloc arenas and radix-tree nodes, because CPython
//     frees them only when not one block is left (3.13) or never (3.12), and
//     the immortal strings are such blocks: about 1.8 MB per interpreter.
//
// What this file does about it:
//   * own obmalloc: a tracking arena allocator (PyObject_SetArenaAllocator,
//     public API) tags each arena with the interpreter that asked for it;
//     after Py_EndInterpreter the arenas CPython did not free are unmapped,
//     and the radix-tree nodes (recorded just before the end) freed. Nothing
//     outside an isolated interpreter can point into its arenas: its objects
//     never cross (values cross as encoded buffers, convert.go) and it may
//     load no single-phase extension module.
//   * shared obmalloc (the legacy, shared-GIL configuration): the arenas are
//     the main interpreter's, so the interned strings themselves are freed.
//     Just before the end the interpreter's interned dict is replaced by an
//     equal dict of a subclass whose deallocator runs where CPython drops
//     that dict, after every other object of the interpreter is gone; it
//     frees the strings that were immortal, as CPython's own debug builds
//     do at that point. An interpreter that loaded a single-phase extension
//     module (PyModuleDef.m_size == -1) is skipped: CPython keeps a copy of
//     such a module's dict for the whole process (m_base.m_copy), and its
//     keys are this interpreter's strings.
//
// The internal headers are needed for the interned dict, the obmalloc
// radix tree and the feature flags; they are read only in this file.
#include <patchlevel.h>
#if PY_VERSION_HEX >= 0x030C0000
#define Py_BUILD_CORE 1
#endif
#include "gearsd_python.h"

int gd_reclaim_enabled = 1;

#if PY_VERSION_HEX < 0x030C0000

void gd_reclaim_install(void) {}
void gd_reclaim_trim(int keep) { (void)keep; }
gd_reclaim *gd_reclaim_prepare(PyInterpreterState *interp) { (void)interp; return NULL; }
void gd_reclaim_finish(gd_reclaim *r) { (void)r; }
void gd_reclaim_stats(int64_t *arenas, int64_t *strings, int64_t *skipped) { *arenas = *strings = *skipped = 0; }

#else

#include "internal/pycore_interp.h"
#include "internal/pycore_obmalloc.h"
#include <pthread.h>
#include <sys/mman.h>

/* --- statistics -------------------------------------------------------- */

static int64_t stat_arenas, stat_strings, stat_skipped; // under arena_mu

void gd_reclaim_stats(int64_t *arenas, int64_t *strings, int64_t *skipped);

/* --- the tracking arena allocator -------------------------------------- */

typedef struct {
	void *addr;
	size_t size;
	int64_t owner; // interpreter id, or -1 for the main obmalloc state
} arena_rec;

static pthread_mutex_t arena_mu = PTHREAD_MUTEX_INITIALIZER;
static arena_rec *arenas;
static size_t n_arenas, cap_arenas;

static PyThreadState *current_tstate(void) {
#if PY_VERSION_HEX >= 0x030D0000
	return PyThreadState_GetUnchecked();
#else
	return _PyThreadState_UncheckedGet();
#endif
}

static int uses_main_obmalloc(PyInterpreterState *interp) {
	return interp == PyInterpreterState_Main() ||
	       (interp->feature_flags & Py_RTFLAGS_USE_MAIN_OBMALLOC) != 0;
}

// The owner of an arena is the interpreter whose obmalloc state asked for it:
// obmalloc works on the current thread state's interpreter.
static int64_t arena_owner(void) {
	PyThreadState *ts = current_tstate();
	if (ts == NULL) return -1;
	PyInterpreterState *interp = ts->interp;
	if (interp == NULL || uses_main_obmalloc(interp)) return -1;
	return interp->id;
}

// Freed arenas are kept mapped for the next interpreters: one is created
// and another ended for every session, and an arena mapped afresh costs a
// page fault per page touched (zero-filled by the kernel): 120 faults per
// session under 8 clients on 3.13, 10 with the cache (measured here).
// obmalloc makes no assumption about an arena's contents. The cache holds
// as many as a busy server turns over; gd_reclaim_trim empties it (MEMORY
// PURGE, and a second without a new interpreter).
#define ARENA_CACHE 64
static void *cached[ARENA_CACHE];
static size_t cached_size[ARENA_CACHE];
static int n_cached;

static void *cache_take(size_t size) {
	for (int i = 0; i < n_cached; i++) {
		if (cached_size[i] == size) {
			void *p = cached[i];
			cached[i] = cached[n_cached - 1];
			cached_size[i] = cached_size[n_cached - 1];
			n_cached--;
			return p;
		}
	}
	return NULL;
}

// unmap_arena keeps p in the cache or unmaps it. Caller holds arena_mu.
static void unmap_arena(void *p, size_t size) {
	if (n_cached < ARENA_CACHE) {
		cached[n_cached] = p;
		cached_size[n_cached] = size;
		n_cached++;
		return;
	}
	munmap(p, size);
}

void gd_reclaim_trim(int keep) {
	pthread_mutex_lock(&arena_mu);
	while (n_cached > keep) {
		n_cached--;
		munmap(cached[n_cached], cached_size[n_cached]);
	}
	pthread_mutex_unlock(&arena_mu);
}

static void *arena_alloc(void *ctx, size_t size) {
	(void)ctx;
	pthread_mutex_lock(&arena_mu);
	void *p = cache_take(size);
	pthread_mutex_unlock(&arena_mu);
	if (p == NULL) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) return NULL;
	}
	int64_t owner = arena_owner();
	if (owner < 0) return p; // the main state's arenas are never reclaimed: not tracked
	pthread_mutex_lock(&arena_mu);
	if (n_arenas == cap_arenas) {
		size_t cap = cap_arenas ? cap_arenas * 2 : 256;
		arena_rec *a = realloc(arenas, cap * sizeof(*a));
		if (a == NULL) {
			unmap_arena(p, size);
			pthread_mutex_unlock(&arena_mu);
			return NULL;
		}
		arenas = a;
		cap_arenas = cap;
	}
	arenas[n_arenas++] = (arena_rec){p, size, owner};
	pthread_mutex_unlock(&arena_mu);
	return p;
}

static void arena_free(void *ctx, void *p, size_t size) {
	(void)ctx;
	if (p == NULL) return; // free_obmalloc_arenas passes unused slots too
	pthread_mutex_lock(&arena_mu);
	for (size_t i = 0; i < n_arenas; i++) {
		if (arenas[i].addr == p) {
			arenas[i] = arenas[--n_arenas];
			break;
		}
	}
	unmap_arena(p, size);
	pthread_mutex_unlock(&arena_mu);
}

void gd_reclaim_install(void) {
	PyObjectArenaAllocator a = {NULL, arena_alloc, arena_free};
	PyObject_SetArenaAllocator(&a);
}

// release_arenas unmaps the arenas still tagged with owner: CPython did not
// free them. Returns how many.
static int64_t release_arenas(int64_t owner) {
	int64_t n = 0;
	pthread_mutex_lock(&arena_mu);
	for (size_t i = 0; i < n_arenas;) {
		if (arenas[i].owner == owner) {
			unmap_arena(arenas[i].addr, arenas[i].size);
			arenas[i] = arenas[--n_arenas];
			n++;
		} else {
			i++;
		}
	}
	stat_arenas += n;
	pthread_mutex_unlock(&arena_mu);
	return n;
}

/* --- what gd_reclaim_prepare records ----------------------------------- */

struct gd_reclaim {
	int64_t owner;  // own obmalloc: the interpreter id; -1 otherwise
	void **nodes;   // own obmalloc: its radix-tree nodes
	int n_nodes;
	PyObject **strings; // shared obmalloc: the immortal interned strings
	Py_ssize_t n_strings;
	int hook_ran;
};

// The hook dict's deallocator finds its record here: it runs on the thread
// that calls Py_EndInterpreter, inside that call.
static __thread gd_reclaim *ending;

static void record_nodes(gd_reclaim *r, PyInterpreterState *interp) {
#if WITH_PYMALLOC_RADIX_TREE && defined(USE_INTERIOR_NODES)
#if PY_VERSION_HEX >= 0x030D0000
	struct _obmalloc_state *st = interp->obmalloc;
#else
	struct _obmalloc_state *st = &interp->obmalloc;
#endif
	if (st == NULL) return;
	int want = st->usage.arena_map_mid_count + st->usage.arena_map_bot_count;
	if (want <= 0) return;
	r->nodes = calloc((size_t)want, sizeof(void *));
	if (r->nodes == NULL) return;
	for (int i1 = 0; i1 < MAP_TOP_LENGTH && r->n_nodes < want; i1++) {
		arena_map_mid_t *mid = st->usage.arena_map_root.ptrs[i1];
		if (mid == NULL) continue;
		for (int i2 = 0; i2 < MAP_MID_LENGTH && r->n_nodes < want; i2++) {
			if (mid->ptrs[i2] != NULL) r->nodes[r->n_nodes++] = mid->ptrs[i2];
		}
		if (r->n_nodes < want) r->nodes[r->n_nodes++] = mid;
	}
#else
	(void)r; (void)interp;
#endif
}

// loaded_shared_extension reports whether the interpreter imported a
// single-phase extension module whose dict CPython keeps for the process.
static int loaded_shared_extension(PyInterpreterState *interp) {
	PyObject *modules = interp->imports.modules; // borrowed
	if (modules == NULL || !PyDict_Check(modules)) return 1;
	Py_ssize_t pos = 0;
	PyObject *name, *mod;
	while (PyDict_Next(modules, &pos, &name, &mod)) {
		if (!PyModule_Check(mod)) continue;
		PyModuleDef *def = PyModule_GetDef(mod);
		if (def == NULL) { PyErr_Clear(); continue; }
		if (def->m_size != -1) continue;
		if (PyUnicode_Check(name) &&
		    (PyUnicode_CompareWithASCIIString(name, "sys") == 0 ||
		     PyUnicode_CompareWithASCIIString(name, "builtins") == 0)) {
			continue; // core modules: never copied (fix_up_extension)
		}
		return 1;
	}
	return 0;
}

static void hook_dealloc(PyObject *self) {
	PyTypeObject *tp = Py_TYPE(self);
	PyDict_Type.tp_dealloc(self);
	Py_DECREF(tp);
	gd_reclaim *r = ending;
	if (r == NULL || r->strings == NULL) return;
	r->hook_ran = 1;
	Py_ssize_t freed = 0;
	for (Py_ssize_t i = 0; i < r->n_strings; i++) {
		PyObject *s = r->strings[i];
		// Still immortal: CPython kept it. (Its interned state is already
		// "not interned" on 3.13; 3.12 leaves it, so clear it here.)
		if (!_Py_IsImmortal(s)) continue;
		((PyASCIIObject *)s)->state.interned = SSTATE_NOT_INTERNED;
		s->ob_refcnt = 1; // Py_SET_REFCNT ignores immortal objects
		Py_DECREF(s);
		freed++;
	}
	pthread_mutex_lock(&arena_mu);
	stat_strings += freed;
	pthread_mutex_unlock(&arena_mu);
}

static PyType_Slot hook_slots[] = {{Py_tp_dealloc, hook_dealloc}, {0, NULL}};
static PyType_Spec hook_spec = {"gearsd.interned", 0, 0, Py_TPFLAGS_DEFAULT, hook_slots};

// install_interned_hook replaces interp's interned dict by an equal
// instance of the hook type and records its immortal strings. On failure
// nothing changes (the strings are kept, as without gearsd).
static void install_interned_hook(gd_reclaim *r, PyInterpreterState *interp) {
	PyObject *d = _Py_INTERP_CACHED_OBJECT(interp, interned_strings);
	PyInterpreterState *main_interp = PyInterpreterState_Main();
	if (d == NULL || d == _Py_INTERP_CACHED_OBJECT(main_interp, interned_strings)) return;
	if (loaded_shared_extension(interp)) {
		pthread_mutex_lock(&arena_mu);
		stat_skipped++;
		pthread_mutex_unlock(&arena_mu);
		return;
	}
	Py_ssize_t n = PyDict_Size(d);
	r->strings = calloc((size_t)n + 1, sizeof(PyObject *));
	if (r->strings == NULL) return;
	PyObject *bases = PyTuple_Pack(1, (PyObject *)&PyDict_Type);
	PyObject *tp = bases ? PyType_FromSpecWithBases(&hook_spec, bases) : NULL;
	Py_XDECREF(bases);
	PyObject *h = tp ? PyObject_CallNoArgs(tp) : NULL;
	Py_XDECREF(tp); // the instance holds its type
	if (h == NULL || PyDict_Update(h, d) < 0) {
		Py_XDECREF(h);
		PyErr_Clear();
		free(r->strings);
		r->strings = NULL;
		return;
	}
	Py_ssize_t pos = 0;
	PyObject *k, *v;
	while (PyDict_Next(d, &pos, &k, &v)) {
		PyASCIIObject *a = (PyASCIIObject *)k;
		if (a->state.interned == SSTATE_INTERNED_IMMORTAL && !a->state.statically_allocated &&
		    r->n_strings < n) {
			r->strings[r->n_strings++] = k;
		}
	}
	_Py_INTERP_CACHED_OBJECT(interp, interned_strings) = h;
	Py_DECREF(d); // its keys and values are immortal: nothing is freed
}

gd_reclaim *gd_reclaim_prepare(PyInterpreterState *interp) {
	if (!gd_reclaim_enabled || interp == PyInterpreterState_Main()) return NULL;
	gd_reclaim *r = calloc(1, sizeof(*r));
	if (r == NULL) return NULL;
	r->owner = -1;
	if (!uses_main_obmalloc(interp)) {
		r->owner = interp->id;
		record_nodes(r, interp);
	} else {
		install_interned_hook(r, interp);
		ending = r;
	}
	return r;
}

void gd_reclaim_finish(gd_reclaim *r) {
	if (r == NULL) return;
	ending = NULL;
	if (r->owner >= 0 && release_arenas(r->owner) > 0) {
		// CPython kept the arenas, so it kept the radix-tree nodes too
		// (free_obmalloc_arenas frees both or neither).
		for (int i = 0; i < r->n_nodes; i++) PyMem_RawFree(r->nodes[i]);
	}
	free(r->nodes);
	free(r->strings);
	free(r);
}

void gd_reclaim_stats(int64_t *arenas_out, int64_t *strings, int64_t *skipped) {
	pthread_mutex_lock(&arena_mu);
	*arenas_out = stat_arenas;
	*strings = stat_strings;
	*skipped = stat_skipped;
	pthread_mutex_unlock(&arena_mu);
}

#endif
