"""Error records and texts (python-api.md §9)."""

import unittest

from support import RuntimeTestCase, traceback_error

UNPRINTABLE = ('class Bad(Exception):\n'
               '    def __str__(self): raise RuntimeError("no")\n'
               'def f(x):\n'
               '    raise Bad()\n'
               "GB('PythonReader').map(f).run(lambda: (yield 1))")


class ErrorTextTest(RuntimeTestCase):

    def test_traceback_form_shows_only_user_frames(self):
        results, errors = self.run_records([1], '.map(lambda x: x + y)')
        self.assertEqual(results, [])
        self.assertEqual(errors, [traceback_error("NameError: name 'y' is not defined", line=4)])

    def test_traceback_of_nested_user_functions(self):
        script = ('def inner(x):\n'
                  '    raise ValueError("bad %s" % x)\n'
                  'def outer(x):\n'
                  '    return inner(x)\n'
                  "GB('PythonReader').map(outer).run(lambda: (yield 7))")
        self.assertEqual(self.run_script(script)[1], [str([
            'Traceback (most recent call last):\n',
            '  File "<string>", line 4, in outer\n',
            '  File "<string>", line 2, in inner\n',
            'ValueError: bad 7\n'])])

    def test_runtime_function_failure_is_gears_error_line(self):
        results, errors = self.run_records([1], '.map(lambda x: execute(1))')
        self.assertEqual(errors, [traceback_error('gears.error: the given command must be a string', line=4)])

    def test_flat_error_is_the_bare_message(self):
        self.assertEqual(self.run_records([1], '.map(lambda x: flat_error("PAUSE now"))'), ([], ['PAUSE now']))

    def test_flat_error_message_is_str_of_value(self):
        self.assertEqual(self.run_records([1], '.map(lambda x: flat_error(42))')[1], ['42'])

    def test_errors_in_every_callback_kind(self):
        pipelines = ['.map(lambda x: 1 / 0)', '.flatmap(lambda x: 1 / 0)', '.filter(lambda x: 1 / 0)',
                     '.foreach(lambda x: 1 / 0)', '.accumulate(lambda a, x: 1 / 0)',
                     '.groupby(lambda x: 1 / 0, lambda k, a, r: a)', '.groupby(lambda x: x, lambda k, a, r: 1 / 0)',
                     '.batchgroupby(lambda x: 1 / 0, lambda k, l: l)', '.batchgroupby(lambda x: x, lambda k, l: 1 / 0)',
                     '.repartition(lambda x: 1 / 0)']
        for pipeline in pipelines:
            results, errors = self.run_records([1], pipeline)
            self.assertEqual(results, [], pipeline)
            self.assertEqual(errors, [traceback_error('ZeroDivisionError: division by zero', line=4)], pipeline)

    def test_system_exit_in_a_callback_is_an_error_record(self):
        results, errors = self.run_records([1], '.map(lambda x: __import__("sys").exit(3))')
        self.assertEqual(errors, [traceback_error('SystemExit: 3', line=4)])


class PlainErrorTextTest(RuntimeTestCase):

    config = {'PythonAttemptTraceback': '0'}

    def test_plain_form(self):
        self.assertEqual(self.run_records([1], '.map(lambda x: x + y)')[1],
                         ["Error type: <class 'NameError'>, Value: name 'y' is not defined"])

    def test_gears_error_plain_form(self):
        self.assertEqual(self.run_records([1], '.map(lambda x: execute(1))')[1],
                         ["Error type: <class 'gears.error'>, Value: the given command must be a string"])

    def test_unprintable_exception(self):
        self.assertEqual(self.run_script(UNPRINTABLE)[1], ["Error type: <class 'not_main.Bad'>, Value: <unprintable>"])

    def test_flat_error_unchanged(self):
        self.assertEqual(self.run_records([1], '.map(lambda x: flat_error("x"))')[1], ['x'])


class StopOnFirstErrorTest(RuntimeTestCase):

    def test_input_stops_after_first_error(self):
        script = ('pulled = []\n'
                  'def gen():\n'
                  '    for i in [1, 0, 2, 0, 3]:\n'
                  '        pulled.append(i)\n'
                  '        yield i\n'
                  "GB('PythonReader').map(lambda x: 10 // x).run(gen)")
        namespace, execution, _ = self.session.execute_script(script)
        self.assertTrue(execution.pull(100))
        execution.finish()
        self.assertEqual(execution.results(), ['10'])
        self.assertEqual(len(execution.errors()), 1)
        self.assertEqual(namespace['pulled'], [1, 0])

    def test_feed_returns_false_after_an_error(self):
        _, execution, _ = self.session.execute_script("GB().map(lambda r: 1 / int(r['value'])).run()")
        records = [{'key': k, 'value': v} for k, v in (('a', '1'), ('b', '0'), ('c', '2'))]
        self.assertFalse(execution.feed(records))
        self.assertFalse(execution.feed([{'key': 'd', 'value': '4'}]))
        execution.finish()
        self.assertEqual(execution.results(), ['1.0'])
        self.assertEqual(len(execution.errors()), 1)

    def test_buffered_partial_aggregate_is_still_emitted(self):
        results, errors = self.run_records([1, 2, 0, 4], '.map(lambda x: 12 // x).count()')
        self.assertEqual(results, ['2'])
        self.assertEqual(len(errors), 1)

    def test_failed_accumulate_call_drops_the_accumulator(self):
        results, errors = self.run_records([1, 2, 0, 4], '.accumulate(lambda a, x: (a or 0) + 12 // x)')
        self.assertEqual(results, [])
        self.assertEqual(len(errors), 1)

    def test_failed_groupby_call_drops_that_group_only(self):
        results, errors = self.run_records(['a', 'b', 'bad'],
                                           '.groupby(lambda x: x[0], lambda k, a, r: 1 / (r != "bad"))',
                                           convertToStr=False)
        self.assertEqual(results, [{'key': 'a', 'value': 1.0}])
        self.assertEqual(len(errors), 1)

    def test_flatmap_elements_after_an_error_are_still_processed(self):
        results, errors = self.run_records([1, 2], '.flatmap(lambda x: [x, 0, 3]).map(lambda x: 6 // x)')
        self.assertEqual(results, ['2', '6'])
        self.assertEqual(len(errors), 1)

    def test_errors_during_finish_do_not_stop_other_groups(self):
        results, errors = self.run_records('aab', '.countby().map(lambda g: 1 / (g["key"] == "b"))')
        self.assertEqual(results, ['1.0'])
        self.assertEqual(len(errors), 1)

    def test_reader_exception_is_an_error_record(self):
        script = ('def gen():\n'
                  '    yield 1\n'
                  '    raise KeyError("k")\n'
                  "GB('PythonReader').run(gen)")
        self.assertEqual(self.run_script(script), (['1'], [str([
            'Traceback (most recent call last):\n',
            '  File "<string>", line 3, in gen\n',
            "KeyError: 'k'\n"])]))

    def test_reader_function_failing_when_called(self):
        results, errors = self.run_script("GB('PythonReader').run(lambda: 1 / 0)")
        self.assertEqual(results, [])
        self.assertIn('ZeroDivisionError', errors[0])

    def test_reader_returning_a_non_iterable(self):
        results, errors = self.run_script("GB('PythonReader').run(lambda: 5)")
        self.assertEqual(errors, ["Error type: <class 'TypeError'>, Value: 'int' object is not iterable"])


class ForceStoppedTest(RuntimeTestCase):

    def test_force_stopped_is_not_an_exception(self):
        self.assertTrue(issubclass(self.rg.GearsForceStopped, BaseException))
        self.assertFalse(issubclass(self.rg.GearsForceStopped, Exception))

    def test_user_except_exception_does_not_swallow_it(self):
        script = ('def f(x):\n'
                  '    try:\n'
                  '        raise redisgears.GearsForceStopped()\n'
                  '    except Exception:\n'
                  '        return "swallowed"\n'
                  "GB('PythonReader').map(f).run(lambda: (yield 1))")
        _, execution, _ = self.session.execute_script(script)
        with self.assertRaises(self.rg.GearsForceStopped):
            execution.pull(10)
        self.assertEqual(execution.errors(), [])

    def test_propagates_out_of_every_driver(self):
        stop = 'lambda *a: (_ for _ in ()).throw(redisgears.GearsForceStopped())'
        cases = [("GB().map(%s).run()" % stop, 'feed'),
                 ("GB('PythonReader').filter(%s).run(lambda: (yield 1))" % stop, 'pull'),
                 ("GB('PythonReader').run(%s)" % stop, 'pull'),
                 ("GB('PythonReader').count().map(%s).run(lambda: (yield 1))" % stop, 'finish'),
                 ("GB('PythonReader').accumulate(%s).run(lambda: (yield 1))" % stop, 'pull'),
                 ("GB('PythonReader').groupby(%s, %s).run(lambda: (yield 1))" % (stop, stop), 'pull'),
                 ("GB('PythonReader').batchgroupby(lambda x: x, %s).run(lambda: (yield 1))" % stop, 'finish')]
        for script, driver in cases:
            _, execution, error = self.session.execute_script(script)
            self.assertIsNone(error)
            with self.assertRaises(self.rg.GearsForceStopped, msg=script):
                if execution.reader == 'KeysReader':
                    execution.feed([{'key': 'k'}])
                else:
                    while not execution.pull(5):
                        pass
                execution.finish()
            self.assertEqual(execution.errors(), [], script)


class FormatErrorTest(RuntimeTestCase):

    def test_syntax_error_uses_the_plain_form(self):
        error = self.script_error('GB(')
        self.assertTrue(error.startswith("Error type: <class 'SyntaxError'>, Value: "), error)
        self.assertIn('(<string>, line 1)', error)

    def test_script_error_traceback(self):
        self.assertEqual(self.script_error('x = 1\nGB().map(1)'), str([
            'Traceback (most recent call last):\n',
            '  File "<string>", line 2, in <module>\n',
            'gears.error: map argument must be a function\n']))

    def test_system_exit_in_script(self):
        self.assertEqual(self.script_error('import sys\nsys.exit(3)'), str([
            'Traceback (most recent call last):\n',
            '  File "<string>", line 2, in <module>\n',
            'SystemExit: 3\n']))

    def test_flat_error_in_script(self):
        self.assertEqual(self.script_error('flat_error("plain")'), 'plain')

    def test_engine_glue_frames_are_hidden(self):
        # gears/runtime.go runs scripts from a Python function of module __gearsd__
        glue = {'__name__': '__gearsd__', '__gears__': self.rt}
        exec('def run_script(code):\n'
             '    try:\n'
             "        exec(compile(code, '<string>', 'exec'), __gears__._new_namespace())\n"
             '    except BaseException as e:\n'
             '        return __gears__._format_error(e)\n', glue)
        self.assertEqual(glue['run_script']('GB(1)'), str([
            'Traceback (most recent call last):\n',
            '  File "<string>", line 1, in <module>\n',
            'gears.error: reader argument must be a string\n']))

    def test_exception_without_traceback(self):
        self.assertEqual(self.rt._format_error(ValueError('v')), "Error type: <class 'ValueError'>, Value: v")

    def test_explicit_traceback_argument(self):
        try:
            raise KeyError('k')
        except KeyError as e:
            exc = e
        self.assertEqual(self.rt._format_error(exc, None), self.rt._format_error(exc, exc.__traceback__))
        self.assertIn("KeyError: 'k'", self.rt._format_error(exc))

    def test_unprintable_exception(self):
        self.assertEqual(self.run_script(UNPRINTABLE)[1], [str([
            'Traceback (most recent call last):\n',
            '  File "<string>", line 4, in f\n',
            'not_main.Bad: <exception str() failed>\n'])])


if __name__ == '__main__':
    unittest.main()
