"""Development harness for the gears Python runtime -- NOT used by gearsd.

It stands in for what the Go engine provides, so that the runtime
(../gearsbuilder.py) can be developed and unit-tested with a plain python3:

* ``DevKeyspace``: a tiny in-memory keyspace answering the few commands the
  tests use, with replies already converted as python-api.md §8.3 says.
* ``DevSession``: one "interpreter": a fresh copy of the stand-in native
  module (native_standin.py, loaded as ``redisgears``) plus a freshly loaded
  runtime module ``__gears__``, and ``pyexecute(script)``, which drives the
  script the way the engine does (RG.PYEXECUTE, commands.md §2.1.3).

The stand-in log() records what the runtime passes, (level, message); the
engine is the one that writes it as ``GEARS: <message>``.

Command line: ``python3 devserver.py SCRIPT [SETUP_JSON]`` prints the reply
as the JSON used by tests/testdata/gears/*.expected.
"""

import fnmatch
import json
import os
import sys
import types

_HERE = os.path.dirname(os.path.abspath(__file__))


def _load(path, name):
    with open(path) as f:
        return compile(f.read(), name, 'exec')


_RUNTIME_CODE = _load(os.path.join(_HERE, os.pardir, 'gearsbuilder.py'), 'gearsbuilder.py')
_NATIVE_CODE = _load(os.path.join(_HERE, 'native_standin.py'), 'native_standin.py')


class CommandError(Exception):
    """An error reply of the dev keyspace."""


def _arity(name, args, n):
    if len(args) < n:
        raise CommandError("ERR wrong number of arguments for '%s' command" % name.lower())


def _integer(text):
    try:
        return int(text)
    except ValueError:
        raise CommandError('ERR value is not an integer or out of range') from None


def _text(value):
    return value.decode('utf-8', 'surrogateescape') if isinstance(value, (bytes, bytearray)) else value


class DevKeyspace:
    """key -> (type, value): 'string' str, 'hash' dict, 'list' list,
    'set' set, 'zset' dict member->score, 'stream' list of entries."""

    def __init__(self):
        self.data = {}

    def call(self, *argv):
        """Run one command; returns the §8.3 reply or raises CommandError."""
        argv = [_text(a) for a in argv]
        name, args = argv[0].upper(), argv[1:]
        handler = getattr(self, 'cmd_' + name.replace('.', '_'), None)
        if handler is None:
            raise CommandError("ERR unknown command '%s', with args beginning with: " % argv[0])
        return handler(name, args)

    def _typed(self, key, kind, default):
        entry = self.data.get(key)
        if entry is None:
            entry = self.data[key] = (kind, default())
        elif entry[0] != kind:
            raise CommandError('WRONGTYPE Operation against a key holding the wrong kind of value')
        return entry[1]

    def cmd_PING(self, name, args):
        return 'PONG'

    def cmd_ECHO(self, name, args):
        _arity(name, args, 1)
        return args[0]

    def cmd_SET(self, name, args):
        _arity(name, args, 2)
        self.data[args[0]] = ('string', args[1])
        return 'OK'

    def cmd_GET(self, name, args):
        _arity(name, args, 1)
        entry = self.data.get(args[0])
        if entry is None:
            return None
        if entry[0] != 'string':
            raise CommandError('WRONGTYPE Operation against a key holding the wrong kind of value')
        return entry[1]

    def cmd_INCR(self, name, args):
        _arity(name, args, 1)
        value = _integer(self.cmd_GET(name, args) or '0') + 1
        self.data[args[0]] = ('string', str(value))
        return value

    def cmd_DEL(self, name, args):
        _arity(name, args, 1)
        return sum(self.data.pop(k, None) is not None for k in args)

    def cmd_EXISTS(self, name, args):
        _arity(name, args, 1)
        return sum(k in self.data for k in args)

    def cmd_TYPE(self, name, args):
        _arity(name, args, 1)
        entry = self.data.get(args[0])
        return entry[0] if entry else 'none'

    def cmd_HSET(self, name, args):
        _arity(name, args, 3)
        fields = self._typed(args[0], 'hash', dict)
        added = 0
        for i in range(1, len(args) - 1, 2):
            added += args[i] not in fields
            fields[args[i]] = args[i + 1]
        return added

    def cmd_HGETALL(self, name, args):
        _arity(name, args, 1)
        entry = self.data.get(args[0], ('hash', {}))
        return [x for kv in entry[1].items() for x in kv]

    def cmd_RPUSH(self, name, args):
        _arity(name, args, 2)
        items = self._typed(args[0], 'list', list)
        items.extend(args[1:])
        return len(items)

    def cmd_LPUSH(self, name, args):
        _arity(name, args, 2)
        items = self._typed(args[0], 'list', list)
        for value in args[1:]:
            items.insert(0, value)
        return len(items)

    def cmd_LRANGE(self, name, args):
        _arity(name, args, 3)
        items = self.data.get(args[0], ('list', []))[1]
        start, stop = _integer(args[1]), _integer(args[2])
        stop = len(items) if stop == -1 else stop + 1
        return items[start:stop]

    def cmd_SADD(self, name, args):
        _arity(name, args, 2)
        members = self._typed(args[0], 'set', set)
        before = len(members)
        members.update(args[1:])
        return len(members) - before

    def cmd_ZADD(self, name, args):
        _arity(name, args, 3)
        scores = self._typed(args[0], 'zset', dict)
        for i in range(1, len(args) - 1, 2):
            scores[args[i + 1]] = args[i]
        return len(scores)

    def cmd_XADD(self, name, args):
        _arity(name, args, 4)
        entries = self._typed(args[0], 'stream', list)
        entry_id = '%d-0' % (len(entries) + 1)
        entries.append((entry_id, args[2:]))
        return entry_id

    def cmd_SCAN(self, name, args):
        _arity(name, args, 1)
        cursor, pattern, count = _integer(args[0]), '*', 10
        options = args[1:]
        for i in range(0, len(options) - 1, 2):
            option = options[i].upper()
            if option == 'MATCH':
                pattern = options[i + 1]
            elif option == 'COUNT':
                count = _integer(options[i + 1])
        if count < 1:
            raise CommandError('ERR syntax error')
        keys = sorted(self.data)
        window = keys[cursor:cursor + count]
        following = cursor + count
        return ['0' if following >= len(keys) else str(following),
                [k for k in window if fnmatch.fnmatchcase(k, pattern)]]

    def cmd_KEYS(self, name, args):
        _arity(name, args, 1)
        return sorted(k for k in self.data if fnmatch.fnmatchcase(k, args[0]))

    def cmd_FLUSHALL(self, name, args):
        self.data.clear()
        return 'OK'

    def cmd_RG_INFOCLUSTER(self, name, args):
        return 'no cluster mode'

    # -- KeysReader records, as the engine builds them (python-api.md §5.1) --

    _RECORD_TYPES = {'string': 'string', 'hash': 'hash', 'list': 'list', 'set': 'set',
                     'zset': 'zset', 'stream': 'unknown'}

    def keys_reader_records(self, pattern, no_scan, read_value):
        if no_scan:
            keys = [pattern]
        else:
            keys = sorted(k for k in self.data if fnmatch.fnmatchcase(k, pattern))
        records = []
        for key in keys:
            if not read_value:
                records.append({'event': None, 'key': key})
                continue
            entry = self.data.get(key)
            if entry is None:
                kind, value = 'empty', None
            else:
                kind = self._RECORD_TYPES[entry[0]]
                value = entry[1]
                if kind == 'hash':
                    value = dict(value)
                elif kind == 'list':
                    value = list(value)
                elif kind != 'string':
                    value = None
            records.append({'event': None, 'key': key, 'type': kind, 'value': value})
        return records


class ErrorReply(str):
    """A RESP error element inside a reply (python-api.md §8.2)."""


def resp_value(value):
    """A result record as the engine writes it (python-api.md §8.2)."""
    if isinstance(value, list):
        return [resp_value(v) for v in value]
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return '%f' % value
    if isinstance(value, str):
        if len(value) > 1 and value[0] == '-':
            return ErrorReply(value[1:])
        if len(value) > 1 and value[0] == '+':
            return value[1:]
        return value
    if isinstance(value, bytes):
        return value.decode('utf-8', 'surrogateescape')
    return 'PY RECORD'


class DevSession:
    """One session interpreter: stand-in native module + loaded runtime."""

    FEED_BATCH = 3   # small on purpose: executions see several feed/pull calls
    PULL_BATCH = 4

    def __init__(self, keyspace=None, config=None):
        self.keyspace = keyspace if keyspace is not None else DevKeyspace()
        self.config = dict(config or {})
        self.logs = []
        self.atomic_calls = []
        self.native = self._make_native()
        sys.modules['redisgears'] = self.native
        self.runtime = types.ModuleType('__gears__')
        sys.modules['__gears__'] = self.runtime
        exec(_RUNTIME_CODE, self.runtime.__dict__)

    def _make_native(self):
        native = types.ModuleType('redisgears')
        native.__dict__.update(_execute=self._execute, _logs=self.logs, _config=self.config,
                               _atomic_calls=self.atomic_calls)
        exec(_NATIVE_CODE, native.__dict__)
        return native

    def _execute(self, argv):
        """(reply, None) or (None, error text), for the stand-in executeCommand."""
        try:
            return self.keyspace.call(*argv), None
        except CommandError as e:
            return None, str(e)

    def execute_script(self, script):
        """Run the script body as the engine does.  Returns (namespace,
        execution or None, error text or None)."""
        namespace = self.runtime._new_namespace()
        error = None
        try:
            exec(compile(script, '<string>', 'exec'), namespace)
        except BaseException as e:
            # The engine calls exec from C: its traceback starts at the script.
            error = self.runtime._format_error(e, e.__traceback__.tb_next)
        return namespace, self.runtime._take_pending_run(), error

    def drive(self, execution):
        """Run an execution to its end as the engine does."""
        if execution.reader == 'KeysReader':
            records = self.keyspace.keys_reader_records(
                execution.arg, execution.options['noScan'], execution.options['readValue'])
            for i in range(0, len(records), self.FEED_BATCH):
                if not execution.feed(records[i:i + self.FEED_BATCH]):
                    break
        else:
            while not execution.pull(self.PULL_BATCH):
                pass
        execution.finish()
        return execution.results(), execution.errors()

    def pyexecute(self, script):
        """The RG.PYEXECUTE reply: 'OK', [results, errors] (§8.2 encoded)
        or an ErrorReply with the script's error text."""
        _, execution, error = self.execute_script(script)
        if error is not None:
            return ErrorReply(error)
        if execution is None:
            return 'OK'
        results, errors = self.drive(execution)
        return [resp_value(results), list(errors)]


def expected_form(reply):
    """The reply in the JSON form of tests/testdata/gears/*.expected."""
    if isinstance(reply, ErrorReply):
        return {'error_prefix': str(reply)}
    return {'reply': reply}


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit('usage: devserver.py SCRIPT [SETUP_JSON]')
    with open(argv[1]) as f:
        script = f.read()
    session = DevSession()
    for command in json.loads(argv[2]) if len(argv) == 3 else []:
        session.keyspace.call(*command)
    print(json.dumps(expected_form(session.pyexecute(script))))


if __name__ == '__main__':
    main(sys.argv)
