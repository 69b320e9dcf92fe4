"""gearsd Python runtime: the RedisGears 1.2 GearsBuilder API.

Normative spec: /work/shared/spec/python-api.md (cited below as §N) and
commands.md §2.1 / §2.6.

How the Go engine uses this file (one single file; nothing else is loaded):

* Per session interpreter the engine creates the native module ``redisgears``
  (``executeCommand``, ``log``, ``config_get``; optionally ``_atomic_begin`` /
  ``_atomic_end``) in ``sys.modules``, then executes this source once as the
  body of module ``__gears__`` (also placed in ``sys.modules``).  Loading
  installs the exception classes on ``redisgears`` and disables ``os._exit`` /
  ``os.abort``.
* ``_new_namespace()`` returns the fresh globals dict for the user script,
  which the engine runs with ``exec(compile(code, '<string>', 'exec'), ns)``
  (compiling with the native ``compile_code``).
* After the script body (whether it succeeded or raised) the engine calls
  ``_take_pending_run()``: the ``_Execution`` created by ``run()``, or None.
* An exception escaping the script body is turned into the reply text by
  ``_format_error(exc, tb=None)``.
* An ``_Execution`` is driven from the session's lane thread:
  ``feed(records)`` (KeysReader: the engine reads the keys) or
  ``pull(max_records)`` (readers implemented here), then ``finish()``, then
  ``results()``, ``errors()``; ``steps()`` serves RG.GETEXECUTION.

Records flow push-style: consecutive streaming steps (map, filter, foreach,
flatmap, repartition) are fused into one generated Python function per
segment, stateful steps (accumulate, groupings) and limit are closures that
buffer until ``finish()``.
"""

import builtins
import itertools
import os
import posix

import redisgears


# ---------------------------------------------------------------------------
# Exceptions (§9).  Users see them as gears.error / gears.flat_error /
# gears.forcestopped, the reference's names: tracebacks print
# "gears.error: <message>" and form 3 prints "<class 'gears.error'>".

class GearsError(Exception):
    """gears.error: failures of the API and of ``execute()``."""
    __module__ = 'gears'
    __qualname__ = 'error'


class GearsFlatError(Exception):
    """gears.flat_error: reported as ``str(value)``, without traceback."""
    __module__ = 'gears'
    __qualname__ = 'flat_error'


class GearsForceStopped(BaseException):
    """gears.forcestopped: raised asynchronously into a callback when its
    execution is aborted or times out.  A BaseException, so that user code's
    ``except Exception`` does not swallow it; the pipeline never turns it
    into an error record."""
    __module__ = 'gears'
    __qualname__ = 'forcestopped'


class _LimitReached(BaseException):
    """Unwinds the producers of a satisfied ``limit`` (§3: input stops)."""


redisgears.GearsError = GearsError
redisgears.GearsFlatError = GearsFlatError
redisgears.GearsForceStopped = GearsForceStopped


def _forbidden(name):
    def forbidden(*args, **kwargs):
        raise GearsError('%s is not allowed in gearsd' % name)
    forbidden.__name__ = forbidden.__qualname__ = name.rsplit('.', 1)[-1]
    return forbidden


# The interpreter shares its process with the server: a user script must not
# be able to end it.
os._exit = posix._exit = _forbidden('os._exit')
os.abort = posix.abort = _forbidden('os.abort')


# ---------------------------------------------------------------------------
# Error texts (§9)

# Frames of gearsd's own modules (this runtime, the engine's glue module that
# calls exec, the native module) are hidden: error texts show only the user's
# frames, as in the reference, whose engine is C.
_INTERNAL_MODULES = frozenset((__name__, '__gearsd__', 'redisgears', '__gearsd_sandbox__'))


def _user_frames(tb):
    frames = []
    while tb is not None:
        if tb.tb_frame.f_globals.get('__name__') not in _INTERNAL_MODULES:
            frames.append(tb)
        tb = tb.tb_next
    user_tb = None
    for t in reversed(frames):
        user_tb = type(t)(user_tb, t.tb_frame, t.tb_lasti, t.tb_lineno)  # types.TracebackType
    return user_tb


def _traceback_enabled():
    value = redisgears.config_get('PythonAttemptTraceback')
    if value is None:
        return True  # config.md: default 1
    try:
        return int(value) != 0
    except ValueError:
        return True


def _plain_error(exc):
    return 'Error type: %s, Value: %s' % (type(exc), exc)


def _error_text(exc, tb=None):
    """The error-record text of exc (§9, rgpy.c: getPyError)."""
    try:
        if isinstance(exc, GearsFlatError):
            return str(exc)
        tb = _user_frames(exc.__traceback__ if tb is None else tb)
        if tb is not None and _traceback_enabled():
            import traceback  # on the first error only: it costs milliseconds per interpreter
            return str(traceback.format_exception(type(exc), exc, tb))
        return _plain_error(exc)
    except Exception:
        # str(exc) itself failed (a user class with a broken __str__)
        return 'Error type: %s, Value: <unprintable>' % (type(exc),)


def _format_error(exc, tb=None):
    """Reply text for an exception that escaped the script body.

    tb overrides exc.__traceback__ (pass the traceback fetched with the
    exception when the two may differ).  A SyntaxError comes from compile(),
    which has no traceback in the reference: always form 3 (§9).
    """
    if isinstance(exc, SyntaxError):
        return _plain_error(exc)
    return _error_text(exc, tb)


# The types module costs a third of a millisecond to import in a fresh
# interpreter; these are its definitions.
_MODULE = type(builtins)
_FUNCTION = type(lambda: None)


class _LazyModule(_MODULE):
    """A module imported on first use: the namespace's incidental globals
    (python-api.md §1) cost nothing in sessions that never touch them."""

    def __getattr__(self, name):
        import importlib
        return getattr(importlib.import_module(self.__name__), name)

    def __dir__(self):
        import importlib
        return dir(importlib.import_module(self.__name__))


def _deepcopy(value):
    import copy
    return copy.deepcopy(value)


# ---------------------------------------------------------------------------
# Pipeline stages

def _to_key(value):
    """Key extraction (§3): str as-is (subclasses as plain str), else repr()."""
    if type(value) is str:
        return value
    return str.__str__(value) if isinstance(value, str) else repr(value)


# Fused streaming steps.  Each template is the body of a ``try`` around one
# callback; `{drop}` leaves the current record.  After an error the generated
# code ends the record too, and in the batch variant also stops reading input
# (stop-on-first-error, §9).  'extract' is repartition on one server: the
# extractor is called, the record passes unchanged (§3).
_FUSED_STEPS = {
    'map': 'r = {f}(r)',
    'filter': 'if not {f}(r):\n    {drop}',
    'foreach': '{f}(r)',
    'extract': '_to_key({f}(r))',
    'flatmap': 'out = {f}(r)',
}

# flatmap: a list result is emitted element by element, last element first
# (the reference pops from the end, §3); anything else is one record.
_FLATMAP_EMIT = """\
if isinstance(out, list):
    for x in reversed(out):
        nxt(x)
else:
    nxt(out)"""

_segment_factories = {}


# gearsd's native compile skips the ast classes builtins.compile() makes in
# every new interpreter (python/native.c); the development stand-in has none.
_compile_code = getattr(redisgears, 'compile_code', lambda source, filename: compile(source, filename, 'exec'))


def _indent(lines, level):
    return ['    ' * level + line for line in lines]


def _segment_factory(kinds, batch):
    """Compile (once per shape) a factory for a fused streaming segment.

    The factory takes (nxt, fail, errors, f0, f1, ...) and returns either
    ``push(record)`` or, for the batch variant, ``feed(records) -> count``
    which stops after the record on which the first error occurred.
    """
    key = (kinds, batch)
    factory = _segment_factories.get(key)
    if factory is not None:
        return factory
    drop, abort = ('continue', 'break') if batch else ('return', 'return')
    body = []
    for i, kind in enumerate(kinds):
        step = _FUSED_STEPS[kind].format(f='f%d' % i, drop=drop)
        body += ['try:'] + _indent(step.split('\n'), 1)
        body += ['except GearsForceStopped:', '    raise',
                 'except BaseException as e:', '    fail(e)', '    ' + abort]
    if kinds and kinds[-1] == 'flatmap':
        body += _FLATMAP_EMIT.split('\n')
    else:
        body.append('nxt(r)')
    if batch:
        body += ['if errors:', '    break']
        name = 'feed'
        function = (['def feed(records):', '    taken = 0', '    for r in records:',
                     '        taken += 1'] + _indent(body, 2) + ['    return taken'])
    else:
        name = 'push'
        function = ['def push(r):'] + _indent(body, 1)
    params = ', '.join(['nxt', 'fail', 'errors'] + ['f%d' % i for i in range(len(kinds))])
    source = '\n'.join(['def factory(%s):' % params] + _indent(function, 1)
                       + ['    return ' + name])
    scope = {}
    exec(_compile_code(source, '<gears pipeline>'), globals(), scope)
    factory = _segment_factories[key] = scope['factory']
    return factory


def _accumulate_stage(callback, nxt, fail):
    """accumulate (§3): one record at end of input, none without input."""
    empty = acc = object()

    def push(r):
        nonlocal acc
        try:
            acc = callback(None if acc is empty else acc, r)
        except GearsForceStopped:
            raise
        except BaseException as e:
            acc = empty  # the reference drops the accumulator of a failed call
            fail(e)

    def flush():
        nonlocal acc
        if acc is not empty:
            value, acc = acc, empty
            nxt(value)
    return push, flush


def _group_stage(extractor, reducer, nxt, fail):
    """localgroupby / groupby (§3): a per-key accumulator starting at None.
    Output order is unspecified; this is first-seen key order."""
    groups = {}

    def push(r):
        try:
            k = _to_key(extractor(r))
        except GearsForceStopped:
            raise
        except BaseException as e:
            fail(e)
            return
        try:
            groups[k] = reducer(k, groups.get(k), r)
        except GearsForceStopped:
            raise
        except BaseException as e:
            groups.pop(k, None)  # as the reference: the key's group is dropped
            fail(e)

    def flush():
        items = list(groups.items())
        groups.clear()
        for k, value in items:
            nxt({'key': k, 'value': value})
    return push, flush


def _batch_group_stage(extractor, reducer, nxt, fail):
    """batchgroupby (§3): the reducer gets each key's whole list once."""
    groups = {}

    def push(r):
        try:
            k = _to_key(extractor(r))
        except GearsForceStopped:
            raise
        except BaseException as e:
            fail(e)
            return
        records = groups.get(k)
        if records is None:
            groups[k] = [r]
        else:
            records.append(r)

    def flush():
        items = list(groups.items())
        groups.clear()
        for k, records in items:
            try:
                value = reducer(k, records)
            except GearsForceStopped:
                raise
            except BaseException as e:
                fail(e)
                continue
            nxt({'key': k, 'value': value})
    return push, flush


_SIZE_T = 1 << 64


def _limit_stage(length, start, nxt):
    """limit (§3): records with index in [start, start+length).  Once the
    window is passed it raises _LimitReached so that nothing upstream runs
    again (the input stops).  rgpy.c converts both numbers to size_t, so
    negative values wrap around as there."""
    first = start % _SIZE_T
    end = (first + length % _SIZE_T) % _SIZE_T
    index = 0

    def push(r):
        nonlocal index
        if index >= end:
            raise _LimitReached
        index += 1
        if index > first:
            nxt(r)
        if index >= end:
            raise _LimitReached
    return push


_STREAMING = frozenset(('map', 'filter', 'foreach', 'flatmap', 'repartition'))
_STATEFUL = {
    'accumulate': _accumulate_stage,
    'localgroupby': _group_stage,
    'groupby': _group_stage,  # one server: the repartition is a no-op
    'batchgroupby': _batch_group_stage,
}


def _compile(ops, sink, fail, errors):
    """Turn builder ops into (feed, flushes): feed(records) -> count pushes a
    batch of reader records; flushes, upstream first, empty the stateful
    stages at end of input."""
    nxt = sink
    flushes = []
    kinds, callbacks = [], []  # the streaming segment being collected, reversed

    def close_segment(batch=False):
        kinds.reverse()
        callbacks.reverse()
        factory = _segment_factory(tuple(kinds), batch)
        fn = factory(nxt, fail, errors, *callbacks)
        del kinds[:], callbacks[:]
        return fn

    for op in reversed(ops):
        kind = op[0]
        if kind in _STREAMING:
            if kind == 'flatmap' and kinds:
                nxt = close_segment()  # flatmap ends the segment it starts
            kinds.append('extract' if kind == 'repartition' else kind)
            callbacks.append(op[1])
            continue
        if kind in ('topy', 'collect'):  # no-ops on one server
            continue
        if kinds:
            nxt = close_segment()
        if kind == 'limit':
            nxt = _limit_stage(op[1], op[2], nxt)
        else:
            nxt, flush = _STATEFUL[kind](*op[1:], nxt, fail)
            flushes.append(flush)
    flushes.reverse()
    return close_segment(batch=True), flushes


# RG.GETEXECUTION step rows of each op (commands.md §2.6): (type, name, index
# of the op argument shown as `arg`, or None).
_TOPY_ROW = ('map', 'RedisGearsPy_ToPyRecordMapper', None)
_EXTRACT_ROW = ('extractkey', 'RedisGearsPy_PyCallbackExtractor', 1)
_REPARTITION_ROW = ('repartition', 'repartition', None)
_BY_KEY_ROW = ('accumulatebykey', 'RedisGearsPy_PyCallbackAccumulateByKey', 2)
_STEP_ROWS = {
    'topy': (_TOPY_ROW,),
    'map': (('map', 'RedisGearsPy_PyCallbackMapper', 1),),
    'flatmap': (('map', 'RedisGearsPy_PyCallbackFlatMapper', 1), ('flatmap', 'flatmap', None)),
    'filter': (('filter', 'RedisGearsPy_PyCallbackFilter', 1),),
    'foreach': (('foreach', 'RedisGearsPy_PyCallbackForEach', 1),),
    'accumulate': (('accumulate', 'RedisGearsPy_PyCallbackAccumulate', 1),),
    'localgroupby': (_EXTRACT_ROW, _BY_KEY_ROW, _TOPY_ROW),
    'groupby': (_EXTRACT_ROW, _REPARTITION_ROW, _BY_KEY_ROW, _TOPY_ROW),
    'batchgroupby': (_EXTRACT_ROW, _REPARTITION_ROW, ('group', 'group', None),
                     ('reduce', 'RedisGearsPy_PyCallbackReducer', 2), _TOPY_ROW),
    'repartition': (_EXTRACT_ROW, _REPARTITION_ROW, ('map', 'GetValueMapper', None)),
    'collect': (('collect', 'collect', None),),
    'limit': (('limit', 'limit', None),),
}


# ---------------------------------------------------------------------------
# Executions

_pending_run = None   # the execution created by run() in the current script
_driving = False      # an execution is being fed/pulled/finished right now


class _Execution:
    """One batch execution created by ``run()``, driven by the engine.

    Attributes: ``reader`` ('KeysReader', 'KeysOnlyReader', 'PythonReader' or
    'ShardsIDReader'), ``arg`` (KeysReader/KeysOnlyReader: the pattern;
    PythonReader: the generator function; ShardsIDReader: None), ``options``
    (KeysReader: {'noScan': bool, 'readValue': bool}; others: {}), ``mode``
    ('async' or 'async_local', identical on one server).
    """

    def __init__(self, reader, arg, options, mode, ops, source):
        self.reader = reader
        self.arg = arg
        self.options = options
        self.mode = mode
        self._ops = ops
        self._source_fn = source  # returns the input iterable; None: fed by the engine
        self._source = None
        self._results = []
        self._errors = []
        self._input_done = False
        self._feed, self._flushes = _compile(ops, self._results.append, self._fail, self._errors)

    def _fail(self, exc):
        self._errors.append(_error_text(exc))

    def _drive(self, action, *args):
        global _driving
        _driving = True
        try:
            return action(*args)
        finally:
            _driving = False

    def feed(self, records):
        """Push reader records (a list) through the pipeline.  Returns False
        once no more input is wanted: an error record reached the end (§9) or
        a limit is satisfied."""
        if not self._input_done:
            self._drive(self._feed_records, records)
        return not self._input_done

    def _feed_records(self, records):
        try:
            self._feed(records)
        except _LimitReached:
            self._input_done = True
        if self._errors:
            self._input_done = True

    def pull(self, max_records):
        """Read at most max_records records from this execution's own reader
        and push them.  Returns True when the input is exhausted or no more
        is wanted.  A reader exception becomes an error record (§5.5)."""
        if self._source_fn is None:
            raise TypeError('%s records are fed by the engine, use feed()' % self.reader)
        if max_records < 1:
            raise ValueError('max_records must be positive')
        if not self._input_done:
            self._drive(self._pull_records, max_records)
        return self._input_done

    def _pull_records(self, max_records):
        taken = 0
        try:
            if self._source is None:
                self._source = iter(self._source_fn())
            taken = self._feed(itertools.islice(self._source, max_records))
        except _LimitReached:
            self._input_done = True
        except GearsForceStopped:
            raise
        except BaseException as e:
            # Stages report their own errors, so this came from the reader.
            self._fail(e)
        if self._errors or taken < max_records:
            self._input_done = True

    def finish(self):
        """End of input: flush the stateful steps, upstream first."""
        self._input_done = True
        self._drive(self._flush)

    def _flush(self):
        for flush in self._flushes:
            try:
                flush()
            except _LimitReached:
                pass  # a limit downstream of this step is satisfied

    def results(self):
        """The final records (str when run() had convertToStr)."""
        return self._results

    def errors(self):
        """The error texts (§9)."""
        return self._errors

    def steps(self):
        """(type, name, arg) rows for RG.GETEXECUTION, last step first."""
        rows = []
        for op in self._ops:
            for step_type, name, arg_index in _STEP_ROWS[op[0]]:
                rows.append((step_type, name, '' if arg_index is None else str(op[arg_index])))
        rows.reverse()
        return rows


def _take_pending_run():
    """Return the execution run() created in the script (or None) and clear
    it, which also re-arms the one-run-per-script check.  The engine calls it
    after every script body, successful or not."""
    global _pending_run
    execution, _pending_run = _pending_run, None
    return execution


class GearsFuture:
    """What run() returns (§4.1).  Awaiting it needs async support, which
    gearsd does not have yet; inside RG.PYEXECUTE the value is unused."""


# ---------------------------------------------------------------------------
# Readers implemented in Python (§5.2, §5.6, §7.9)

def createKeysOnlyReader(pattern='*', count=1000, noScan=False, patternGenerator=None):
    """A generator function yielding key names through SCAN (§5.2, §7.9)."""
    def keysOnlyReader():
        if patternGenerator is None:
            match, exact = pattern, noScan
        else:
            match, exact = patternGenerator()
        if exact:
            try:
                found = execute('EXISTS', match) == 1
            except Exception:
                return  # the reference ignores errors on this path
            if found:
                yield match
            return
        cursor = '0'
        while True:
            cursor, keys = execute('SCAN', cursor, 'MATCH', str(match), 'COUNT', str(count))
            yield from keys
            if cursor == '0':
                break
    return keysOnlyReader


def shardReaderCallback():
    """The ShardsIDReader generator (§5.6): one server always sees
    RG.INFOCLUSTER reply 'no cluster mode', hence the single record '1'."""
    yield '1'


# ---------------------------------------------------------------------------
# GearsBuilder (§2-§4)

_READERS = frozenset(('KeysReader', 'KeysOnlyReader', 'StreamReader', 'CommandReader',
                      'PythonReader', 'ShardsIDReader', 'ShardIDReader'))
# Pseudo-readers run on PythonReader (§2): run() checks their argument as one.
_PYTHON_READERS = frozenset(('PythonReader', 'KeysOnlyReader', 'ShardsIDReader'))


def _check_callbacks(op, args, *roles):
    """Validation of rgpy.c: the callbacks must be Python functions."""
    if len(args) != len(roles):
        raise GearsError('wrong number of args to %s function' % op)
    for role, callback in zip(roles, args):
        if role is not None and not isinstance(callback, _FUNCTION):
            raise GearsError('%s argument must be a function' % role)


def _check_bool(kwargs, name, message, default):
    value = kwargs.get(name, default)
    if not isinstance(value, bool):
        raise GearsError(message)
    return value


class GearsBuilder:
    """The pipeline builder (§2).  Operation methods take positional
    arguments only, mutate the builder and return it."""

    def __init__(self, reader='KeysReader', defaultArg='*', desc=None):
        if not isinstance(reader, str):
            raise GearsError('reader argument must be a string')
        if desc is not None and not isinstance(desc, str):
            raise GearsError('desc argument must be a string')
        if reader not in _READERS:
            raise GearsError('The given reader does not exists')
        self.reader = reader
        self.defaultArg = defaultArg
        self.desc = desc
        # every builder starts with the conversion to Python records
        self._ops = [('topy',)]

    # -- operations (§3) ----------------------------------------------------

    def _one_callback_step(self, op, args):
        """A step taking one function, validated with op's own texts."""
        _check_callbacks(op, args, op)
        self._ops.append((op, args[0]))
        return self

    def map(self, *args):
        return self._one_callback_step('map', args)

    def flatmap(self, *args):
        return self._one_callback_step('flatmap', args)

    def foreach(self, *args):
        return self._one_callback_step('foreach', args)

    def filter(self, *args):
        return self._one_callback_step('filter', args)

    def accumulate(self, *args):
        return self._one_callback_step('accumulate', args)

    def localgroupby(self, *args):
        # rgpy.c uses the groupby texts for localgroupby too
        _check_callbacks('groupby', args, 'groupby extractor', 'groupby reducer')
        self._ops.append(('localgroupby',) + args)
        return self

    def groupby(self, *args):
        _check_callbacks('groupby', args, 'groupby extractor', 'groupby reducer')
        self._ops.append(('groupby',) + args)
        return self

    def batchgroupby(self, *args):
        # Reference bug kept (§3): the reducer's type is not checked, a bad
        # one fails at run time.
        _check_callbacks('batchgroupby', args, 'batchgroupby extractor', None)
        self._ops.append(('batchgroupby',) + args)
        return self

    def repartition(self, *args):
        _check_callbacks('repartition', args, 'repartition')
        self._ops.append(('repartition', args[0]))
        return self

    def collect(self, *args):
        if args:
            raise GearsError('wrong number of args to collect function')
        self._ops.append(('collect',))
        return self

    def limit(self, *args):
        if not 1 <= len(args) <= 2:
            raise GearsError('wrong number of args to limit function')
        if not all(isinstance(a, int) for a in args):
            raise GearsError('limit argument must be a number')
        length, start = args if len(args) == 2 else (args[0], 0)
        self._ops.append(('limit', length, start))
        return self

    # -- sugar operations, built as the reference's GearsBuilder.py does ------
    # `a if a else deepcopy(zero)`: any falsy accumulator is replaced by a
    # fresh copy of the zero value (§3, falsy accumulator reset).

    def aggregate(self, zero, seqOp, combOp):
        self._ops += [
            ('accumulate', lambda a, r: seqOp(a if a else _deepcopy(zero), r)),
            ('collect',),
            ('accumulate', lambda a, r: combOp(a if a else _deepcopy(zero), r)),
        ]
        return self

    def aggregateby(self, extractor, zero, seqOp, combOp):
        self._ops += [
            ('localgroupby', lambda r: extractor(r),
             lambda k, a, r: seqOp(k, a if a else _deepcopy(zero), r)),
            ('groupby', lambda r: r['key'],
             lambda k, a, r: combOp(k, a if a else _deepcopy(zero), r['value'])),
        ]
        return self

    def count(self):
        self._ops += [
            ('accumulate', lambda a, r: 1 + (a if a else 0)),
            ('collect',),
            ('accumulate', lambda a, r: r + (a if a else 0)),
        ]
        return self

    def countby(self, extractor=lambda x: x):
        return self.aggregateby(extractor, 0, lambda k, a, r: 1 + a, lambda k, a, r: r + a)

    def avg(self, extractor=lambda x: float(x)):
        self.map(extractor)  # validated: avg(1) fails here (§3)
        self.aggregate((0, 0),
                       lambda a, r: (a[0] + r, a[1] + 1),
                       lambda a, r: (a[0] + r[0], a[1] + r[1]))
        self._ops.append(('map', lambda x: x[0] / x[1]))
        return self

    def sort(self, reverse=True):
        # flatmap emits in reverse, so the default reverse=True comes out
        # ascending (§3).
        self.aggregate([], lambda a, r: a + [r], lambda a, r: a + r)
        self._ops += [('map', lambda r: sorted(r, reverse=reverse)),
                      ('flatmap', lambda r: r)]
        return self

    def distinct(self):
        self.aggregate(set(), lambda a, r: a | set([r]), lambda a, r: a | r)
        self._ops.append(('flatmap', lambda x: list(x)))
        return self

    # -- actions (§4) --------------------------------------------------------

    def run(self, arg=None, convertToStr=True, collect=True, **kwargs):
        """Create the execution; the engine runs it after the script (§4.1)."""
        global _pending_run
        # Python-level part of the reference's run(): steps are appended and
        # the pseudo-readers resolved before any check.
        if convertToStr:
            self._ops.append(('map', str))
        if collect:
            self._ops.append(('collect',))
        arg = arg if arg else self.defaultArg
        reader = self.reader
        if reader == 'ShardsIDReader':
            source = shardReaderCallback
            arg = None
        elif reader == 'KeysOnlyReader':
            # reference quirk (§4.1): every kwarg goes to createKeysOnlyReader,
            # so e.g. mode= raises a TypeError
            source = createKeysOnlyReader(arg, **kwargs)
        else:
            source = arg
        # rgpy.c: run()
        if _driving:
            raise GearsError('run inside an execution is not supported yet')
        if _pending_run is not None:
            raise GearsError('Can not run more then 1 executions in a single script')
        options = {}
        if reader in _PYTHON_READERS:
            if not isinstance(source, _FUNCTION):
                raise GearsError('pyreader argument must be a function')
        elif reader in ('KeysReader', 'StreamReader'):
            if not isinstance(arg, str):
                raise GearsError('regex argument must be a string')
            if reader == 'KeysReader':
                options['noScan'] = _check_bool(kwargs, 'noScan', 'exactMatch value is not boolean', False)
                options['readValue'] = _check_bool(kwargs, 'readValue', 'readValue value is not boolean',
                                                   True)
                source = None
            elif not isinstance(kwargs.get('fromId', '0-0'), str):
                raise GearsError('fromId argument must be a string')
        else:
            raise GearsError('Given reader do not support run or not exists')
        mode = kwargs.get('mode', 'async')
        if not isinstance(mode, str):
            raise GearsError('execution mode must be a string')
        if mode not in ('async', 'async_local'):
            raise GearsError('unknown execution mode')
        if reader == 'StreamReader':
            raise GearsError('StreamReader is not supported yet')
        _pending_run = _Execution(reader, arg, options, mode, list(self._ops), source)
        return GearsFuture()

    def register(self, *args, **kwargs):
        raise GearsError('register is not supported yet')


GB = GearsBuilder


# ---------------------------------------------------------------------------
# Runtime functions (§7)

def execute(*args):
    """Run a Redis command in-process (§7.1); the native function converts
    the arguments (bytes raw, anything else str()) and the reply (§8.3)."""
    if not args:
        return []
    if not isinstance(args[0], str):
        raise GearsError('the given command must be a string')
    return redisgears.executeCommand(*args)


_in_atomic = False


class _Atomic:
    """``with atomic():`` (§7.2).  The native hooks, when the engine has
    them, hold the server lock for the block."""

    def __enter__(self):
        global _in_atomic
        if _in_atomic:
            raise GearsError('Already inside an atomic block')
        begin = getattr(redisgears, '_atomic_begin', None)
        if begin is not None:
            begin()
        _in_atomic = True
        return self

    def __exit__(self, exc_type, exc_value, tb):
        global _in_atomic
        if not _in_atomic:
            raise GearsError('Not inside an atomic block')
        _in_atomic = False
        end = getattr(redisgears, '_atomic_end', None)
        if end is not None:
            end()
        return False


def atomic():
    return _Atomic()


def isInAtomicBlock():
    return _in_atomic


_LOG_LEVELS = ('debug', 'verbose', 'notice', 'warning')
_MISSING = object()


def log(*args, **kwargs):
    """log(message, level='notice') (§7.3); also the legacy log(level, message).
    Keyword arguments other than `level` are ignored, as in rgpy.c."""
    level = kwargs.get('level', _MISSING)
    if not 1 <= len(args) <= 2:
        raise GearsError('log function must get a log message as input')
    if len(args) == 2:
        redisgears.log('warning', "Specify log level as the first argument to log function "
                                  "is depricated, use key argument 'level' instead")
        level, message = args
    else:
        message = args[0]
    if not isinstance(message, str):
        raise GearsError('Log message must be a string')
    if level is _MISSING:
        level = 'notice'
    elif not isinstance(level, str):
        raise GearsError('Log level must be a sting (debug/verbose/notice/warning)')
    elif level not in _LOG_LEVELS:
        raise GearsError('Log level should be one of the following : debug,verbose,notice,warning')
    redisgears.log(level, message)  # the engine writes it as "GEARS: <message>"


def configGet(*args):
    """The extra-config value of key as a string, or None (§7.4)."""
    if len(args) != 1:
        raise GearsError('get_config function must get a single key input')
    if not isinstance(args[0], str):
        raise GearsError('get_config key must be a string')
    return redisgears.config_get(args[0])


def gearsConfigGet(key, default=None):
    value = configGet(key)
    return value if value is not None else default


def hashtag():
    """The hash tag of slot 0, the lowest slot of a single server (§7.5)."""
    return '06S'


def flat_error(*args):
    """Raise an error reported as str(msg), without traceback (§7.7)."""
    if len(args) != 1:
        raise GearsError('not enough arguments for time flat error')
    raise GearsFlatError(args[0])


def isAsyncAllow():
    return False  # no async support (§10.2)


# Without registrations there is never a command context (§7.8).
def override_reply(*args):
    if len(args) != 1:
        raise GearsError('Override reply must get a single argument')
    raise GearsError('Can not get command ctx')


def get_command(*args):
    raise GearsError('Can not get command ctx')


def call_next(*args):
    raise GearsError('Can not get CommandHook ctx')


def _unsupported(name):
    def unsupported(*args, **kwargs):
        raise GearsError('%s is not supported yet' % name)
    unsupported.__name__ = unsupported.__qualname__ = name
    return unsupported


def _deprecated(old, new, target):
    def alias(*args, **kwargs):
        log('%s is deprecated, use %s instead' % (old, new), level='warning')
        return target(*args, **kwargs)
    alias.__name__ = alias.__qualname__ = old
    return alias


# ---------------------------------------------------------------------------
# The user namespace (§1.1)

_BASE_NAMESPACE = {
    'GearsBuilder': GearsBuilder,
    'GB': GearsBuilder,
    'execute': execute,
    'atomic': atomic,
    'hashtag': hashtag,
    'log': log,
    'configGet': configGet,
    'gearsConfigGet': gearsConfigGet,
    'flat_error': flat_error,
    'isAsyncAllow': isAsyncAllow,
    'isInAtomicBlock': isInAtomicBlock,
    'override_reply': override_reply,
    'get_command': get_command,
    'call_next': call_next,
    'createKeysOnlyReader': createKeysOnlyReader,
    'shardReaderCallback': shardReaderCallback,
    'GearsFuture': GearsFuture,
    'Log': _deprecated('Log', 'log', log),
    'ConfigGet': _deprecated('ConfigGet', 'configGet', configGet),
    'GearsConfigGet': _deprecated('GearsConfigGet', 'gearsConfigGet', gearsConfigGet),
    'redisgears': redisgears,
    'rg': redisgears,
    'copy': _LazyModule('copy'),
}
_BASE_NAMESPACE.update((name, _unsupported(name)) for name in (
    'registerTE', 'gearsFuture', 'createFuture', 'setFutureResults', 'setFutureException',
    'runCoroutine', 'GearsSession', 'getGearsSession', 'setGearsSession', 'registerGearsThread'))


def _new_namespace():
    """A fresh globals dict for one user script."""
    namespace = dict(_BASE_NAMESPACE)
    namespace['__name__'] = 'not_main'
    namespace['__builtins__'] = builtins
    return namespace
