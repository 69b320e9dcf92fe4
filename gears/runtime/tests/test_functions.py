"""Runtime functions, namespace and process protection (python-api.md §1.1,
§7; task: os._exit/os.abort)."""

import os
import sys
import unittest

from support import DEVTOOLS, RuntimeTestCase


class NamespaceTest(RuntimeTestCase):

    NAMES = ('GearsBuilder', 'GB', 'execute', 'atomic', 'hashtag', 'log', 'configGet', 'gearsConfigGet',
             'registerTE', 'gearsFuture', 'GearsFuture', 'createFuture', 'setFutureResults',
             'setFutureException', 'runCoroutine', 'isAsyncAllow', 'override_reply', 'get_command',
             'call_next', 'flat_error', 'createKeysOnlyReader', 'shardReaderCallback', 'GearsSession',
             'getGearsSession', 'setGearsSession', 'registerGearsThread', 'isInAtomicBlock', 'Log',
             'ConfigGet', 'GearsConfigGet', 'redisgears', 'rg')

    def test_names(self):
        namespace = self.rt._new_namespace()
        for name in self.NAMES:
            self.assertIn(name, namespace)
        self.assertIs(namespace['GB'], namespace['GearsBuilder'])
        self.assertIs(namespace['rg'], self.rg)
        self.assertEqual(namespace['__name__'], 'not_main')
        self.assertIn('__builtins__', namespace)
        self.assertNotIn('flatError', namespace)
        self.assertNotIn('registerTimeEvent', namespace)

    def test_namespaces_are_independent(self):
        first = self.rt._new_namespace()
        first['x'] = 1
        first['GB'] = None
        second = self.rt._new_namespace()
        self.assertNotIn('x', second)
        self.assertIs(second['GB'], self.rt.GearsBuilder)

    def test_exception_classes_on_native_module(self):
        self.assertIs(self.rg.GearsError, self.rt.GearsError)
        self.assertIs(self.rg.GearsFlatError, self.rt.GearsFlatError)
        self.assertIs(self.rg.GearsForceStopped, self.rt.GearsForceStopped)
        self.assertEqual(str(self.rg.GearsError), "<class 'gears.error'>")

    def test_user_can_catch_gears_error(self):
        script = ('try:\n'
                  '    execute(1)\n'
                  'except redisgears.GearsError as e:\n'
                  '    caught = str(e)\n')
        namespace, _, error = self.session.execute_script(script)
        self.assertIsNone(error)
        self.assertEqual(namespace['caught'], 'the given command must be a string')


class ExecuteTest(RuntimeTestCase):

    def evaluate(self, expression):
        namespace, _, error = self.session.execute_script('value = ' + expression)
        self.assertIsNone(error, error)
        return namespace['value']

    def test_execute(self):
        self.assertEqual(self.evaluate("[execute('SET', 'k', 5), execute('GET', 'k'), execute('INCR', 'k')]"),
                         ['OK', '5', 6])

    def test_no_args(self):
        self.assertEqual(self.evaluate('execute()'), [])

    def test_command_must_be_str(self):
        self.assertScriptError("execute(b'GET', 'k')", 'the given command must be a string')

    def test_error_reply_raises_gears_error(self):
        self.assertScriptError("execute('SET', 'k')", "ERR wrong number of arguments for 'set' command")


class LogTest(RuntimeTestCase):

    def run_ok(self, script):
        _, _, error = self.session.execute_script(script)
        self.assertIsNone(error, error)
        return self.session.logs

    def test_default_level(self):
        self.assertEqual(self.run_ok("log('hello')"), [('notice', 'hello')])

    def test_levels(self):
        script = "for l in ('debug', 'verbose', 'notice', 'warning'): log(l + '!', level=l)"
        self.assertEqual(self.run_ok(script), [('debug', 'debug!'), ('verbose', 'verbose!'),
                                               ('notice', 'notice!'), ('warning', 'warning!')])

    def test_legacy_two_positional_form(self):
        self.assertEqual(self.run_ok("log('warning', 'old style')"), [
            ('warning', "Specify log level as the first argument to log function is depricated, "
                        "use key argument 'level' instead"),
            ('warning', 'old style')])

    def test_other_keyword_arguments_are_ignored(self):
        self.assertEqual(self.run_ok("log('x', foo=1)"), [('notice', 'x')])

    def test_validation(self):
        self.assertScriptError('log()', 'log function must get a log message as input')
        self.assertScriptError("log('a', 'b', 'c')", 'log function must get a log message as input')
        self.assertScriptError('log(1)', 'Log message must be a string')
        self.assertScriptError("log('x', level=None)", 'Log level must be a sting (debug/verbose/notice/warning)')
        self.assertScriptError("log(1, 'x')", 'Log level must be a sting (debug/verbose/notice/warning)')
        self.assertScriptError("log('x', level='NOTICE')",
                               'Log level should be one of the following : debug,verbose,notice,warning')

    def test_deprecated_aliases_warn_then_delegate(self):
        self.session.config['k'] = 'v'
        namespace, _, error = self.session.execute_script(
            "Log('m')\nvalues = [ConfigGet('k'), GearsConfigGet('missing', 'd')]")
        self.assertIsNone(error)
        self.assertEqual(namespace['values'], ['v', 'd'])
        self.assertEqual(self.session.logs, [
            ('warning', 'Log is deprecated, use log instead'),
            ('notice', 'm'),
            ('warning', 'ConfigGet is deprecated, use configGet instead'),
            ('warning', 'GearsConfigGet is deprecated, use gearsConfigGet instead')])


class ConfigTest(RuntimeTestCase):

    config = {'MyKey': '42'}

    def evaluate(self, expression):
        namespace, _, error = self.session.execute_script('value = ' + expression)
        self.assertIsNone(error, error)
        return namespace['value']

    def test_config_get(self):
        self.assertEqual(self.evaluate("[configGet('MyKey'), configGet('mykey'), configGet('nope')]"),
                         ['42', None, None])

    def test_gears_config_get(self):
        self.assertEqual(self.evaluate("[gearsConfigGet('MyKey', 1), gearsConfigGet('nope', 1),"
                                       " gearsConfigGet('nope')]"), ['42', 1, None])

    def test_validation(self):
        self.assertScriptError('configGet()', 'get_config function must get a single key input')
        self.assertScriptError("configGet('a', 'b')", 'get_config function must get a single key input')
        self.assertScriptError('configGet(1)', 'get_config key must be a string')


class MiscFunctionsTest(RuntimeTestCase):

    def evaluate(self, expression):
        namespace, _, error = self.session.execute_script('value = ' + expression)
        self.assertIsNone(error, error)
        return namespace['value']

    def test_hashtag(self):
        self.assertEqual(self.evaluate('hashtag()'), '06S')

    def test_is_async_allow(self):
        self.assertIs(self.evaluate('isAsyncAllow()'), False)

    def test_flat_error_arity(self):
        self.assertScriptError('flat_error()', 'not enough arguments for time flat error')

    def test_command_context_functions(self):
        self.assertScriptError('override_reply()', 'Override reply must get a single argument')
        self.assertScriptError('override_reply(1)', 'Can not get command ctx')
        self.assertScriptError('get_command()', 'Can not get command ctx')
        self.assertScriptError("call_next('x')", 'Can not get CommandHook ctx')

    def test_unsupported(self):
        for name in ('registerTE', 'gearsFuture', 'createFuture', 'setFutureResults', 'setFutureException',
                     'runCoroutine', 'GearsSession', 'getGearsSession', 'setGearsSession',
                     'registerGearsThread'):
            self.assertScriptError('%s(1, 2)' % name, '%s is not supported yet' % name)


class AtomicTest(RuntimeTestCase):

    def test_atomic_block_calls_hooks(self):
        namespace, _, error = self.session.execute_script(
            "with atomic():\n    inside = isInAtomicBlock()\n    execute('SET', 'a', '1')\noutside = isInAtomicBlock()")
        self.assertIsNone(error)
        self.assertEqual((namespace['inside'], namespace['outside']), (True, False))
        self.assertEqual(self.session.atomic_calls, ['begin', 'end'])

    def test_hooks_run_on_exceptions_too(self):
        error = self.script_error("with atomic():\n    raise ValueError('x')")
        self.assertIn('ValueError: x', error)
        self.assertEqual(self.session.atomic_calls, ['begin', 'end'])
        _, _, error = self.session.execute_script('with atomic():\n    pass')
        self.assertIsNone(error)

    def test_nesting(self):
        self.assertScriptError('with atomic():\n    with atomic():\n        pass', 'Already inside an atomic block')
        self.assertEqual(self.session.atomic_calls, ['begin', 'end'])

    def test_exit_without_enter(self):
        self.assertScriptError('atomic().__exit__(None, None, None)', 'Not inside an atomic block')

    def test_works_without_native_hooks(self):
        del self.rg._atomic_begin, self.rg._atomic_end
        _, _, error = self.session.execute_script('with atomic():\n    pass')
        self.assertIsNone(error)


class ProcessProtectionTest(RuntimeTestCase):

    def test_os_exit_and_abort_are_disabled(self):
        for call, name in (('os._exit(0)', 'os._exit'), ('posix._exit(0)', 'os._exit'),
                           ('os.abort()', 'os.abort'), ('posix.abort()', 'os.abort')):
            self.assertScriptError('import os, posix\n' + call, '%s is not allowed in gearsd' % name)

    def test_sys_exit_is_an_ordinary_error(self):
        self.assertTrue(self.script_error('import sys\nsys.exit()').endswith("'SystemExit\\n']"))


@unittest.skipUnless(sys.version_info >= (3, 12), 'isolated sub-interpreters need Python 3.12')
class SubInterpreterTest(unittest.TestCase):
    """The runtime must load in an isolated interpreter (own GIL, no
    single-phase extension modules), as gearsd runs it."""

    def test_runs_in_an_isolated_interpreter(self):
        code = ('import sys\n'
                'sys.path.insert(0, %r)\n'
                'import devserver\n'
                's = devserver.DevSession()\n'
                "s.keyspace.call('SET', 'a', '1')\n"
                "assert s.pyexecute(\"GB().map(lambda r: r['value']).run()\") == [['1'], []]\n"
                "assert s.pyexecute(\"GB('PythonReader').map(lambda x: x * 2).sort()"
                ".run(lambda: iter([2, 1]))\") == [['2', '4'], []]\n" % os.path.abspath(DEVTOOLS))
        try:
            import _interpreters as interpreters
            interpreter = interpreters.create(interpreters.new_config('isolated'))
            try:
                self.assertIsNone(interpreters.exec(interpreter, code))
            finally:
                interpreters.destroy(interpreter)
        except ImportError:
            import _xxsubinterpreters as interpreters
            interpreter = interpreters.create(isolated=True)
            try:
                interpreters.run_string(interpreter, code)
            finally:
                interpreters.destroy(interpreter)


if __name__ == '__main__':
    unittest.main()
