"""Definition-time validation texts (python-api.md §2, §3, §4.1, §5)."""

import unittest

from support import RuntimeTestCase


class BuilderValidationTest(RuntimeTestCase):

    def test_reader_must_be_a_string(self):
        self.assertScriptError('GB(1)', 'reader argument must be a string')

    def test_desc_must_be_a_string(self):
        self.assertScriptError("GB('KeysReader', '*', 5)", 'desc argument must be a string')

    def test_desc_checked_before_reader_existence(self):
        self.assertScriptError("GB('Nope', desc=5)", 'desc argument must be a string')

    def test_unknown_reader(self):
        self.assertScriptError("GB('Nope')", 'The given reader does not exists')

    def test_all_reader_names_are_accepted(self):
        for reader in ('KeysReader', 'KeysOnlyReader', 'StreamReader', 'CommandReader',
                       'PythonReader', 'ShardsIDReader', 'ShardIDReader'):
            _, _, error = self.session.execute_script('GB(%r, desc="d")' % reader)
            self.assertIsNone(error, reader)


class OperationValidationTest(RuntimeTestCase):

    SINGLE_CALLBACK_OPS = ('map', 'flatmap', 'foreach', 'filter', 'accumulate', 'repartition')

    def test_single_callback_ops_need_a_function(self):
        for op in self.SINGLE_CALLBACK_OPS:
            for bad in ('1', 'len', '"x".upper', 'type("C", (), {})()'):
                self.assertScriptError('GB().%s(%s)' % (op, bad), '%s argument must be a function' % op)

    def test_single_callback_ops_arity(self):
        for op in self.SINGLE_CALLBACK_OPS:
            self.assertScriptError('GB().%s()' % op, 'wrong number of args to %s function' % op)
            self.assertScriptError('GB().%s(lambda x: x, lambda x: x)' % op,
                                   'wrong number of args to %s function' % op)

    def test_operations_take_positional_arguments_only(self):
        error = self.script_error('GB().map(f=lambda x: x)')
        self.assertIn('TypeError', error)

    def test_def_functions_are_accepted(self):
        _, _, error = self.session.execute_script('def f(x):\n    return x\nGB().map(f).filter(f)')
        self.assertIsNone(error)

    def test_groupby_texts_shared_with_localgroupby(self):
        for op in ('groupby', 'localgroupby'):
            self.assertScriptError('GB().%s(lambda x: x)' % op, 'wrong number of args to groupby function')
            self.assertScriptError('GB().%s(1, lambda k, a, r: a)' % op,
                                   'groupby extractor argument must be a function')
            self.assertScriptError('GB().%s(lambda x: x, 1)' % op, 'groupby reducer argument must be a function')

    def test_batchgroupby_texts(self):
        self.assertScriptError('GB().batchgroupby(lambda x: x)', 'wrong number of args to batchgroupby function')
        self.assertScriptError('GB().batchgroupby(1, lambda k, l: l)',
                               'batchgroupby extractor argument must be a function')

    def test_batchgroupby_reducer_type_is_not_checked(self):
        _, _, error = self.session.execute_script('GB().batchgroupby(lambda x: x, 1)')
        self.assertIsNone(error)

    def test_collect_takes_no_args(self):
        self.assertScriptError('GB().collect(1)', 'wrong number of args to collect function')

    def test_limit_texts(self):
        self.assertScriptError('GB().limit()', 'wrong number of args to limit function')
        self.assertScriptError('GB().limit(1, 2, 3)', 'wrong number of args to limit function')
        self.assertScriptError("GB().limit('1')", 'limit argument must be a number')
        self.assertScriptError('GB().limit(1, 2.0)', 'limit argument must be a number')

    def test_avg_extractor_is_validated_as_map(self):
        self.assertScriptError('GB().avg(1)', 'map argument must be a function')

    def test_sugar_ops_accept_anything_at_definition(self):
        _, _, error = self.session.execute_script('GB().aggregate(0, 1, 2).aggregateby(1, 0, 2, 3).countby(1)')
        self.assertIsNone(error)


class RunValidationTest(RuntimeTestCase):

    def test_python_reader_needs_a_function(self):
        self.assertScriptError("GB('PythonReader').run()", 'pyreader argument must be a function')
        self.assertScriptError("GB('PythonReader').run(len)", 'pyreader argument must be a function')

    def test_keys_reader_pattern_must_be_a_string(self):
        self.assertScriptError('GB().run(5)', 'regex argument must be a string')
        self.assertScriptError("GB('KeysReader', 5).run()", 'regex argument must be a string')

    def test_keys_reader_flags_must_be_bool(self):
        self.assertScriptError('GB().run(noScan=1)', 'exactMatch value is not boolean')
        self.assertScriptError('GB().run(readValue="no")', 'readValue value is not boolean')

    def test_mode(self):
        self.assertScriptError("GB().run(mode='sync')", 'unknown execution mode')
        self.assertScriptError('GB().run(mode=1)', 'execution mode must be a string')
        self.assertScriptError("GB('PythonReader').run(lambda: [], mode='x')", 'unknown execution mode')

    def test_reader_arguments_checked_before_mode(self):
        self.assertScriptError("GB().run(noScan=1, mode='sync')", 'exactMatch value is not boolean')

    def test_accepted_modes(self):
        for mode in ('async', 'async_local'):
            _, execution, error = self.session.execute_script("GB().run(mode=%r)" % mode)
            self.assertIsNone(error)
            self.assertEqual(execution.mode, mode)

    def test_unknown_kwargs_are_ignored(self):
        _, execution, error = self.session.execute_script("GB().run(prefix='x', whatever=1)")
        self.assertIsNone(error)
        self.assertIsNotNone(execution)

    def test_keys_only_reader_forwards_kwargs(self):
        error = self.script_error("GB('KeysOnlyReader').run(mode='async')")
        self.assertIn("TypeError: createKeysOnlyReader() got an unexpected keyword argument 'mode'", error)

    def test_stream_reader(self):
        self.assertScriptError("GB('StreamReader').run(fromId=1)", 'fromId argument must be a string')
        self.assertScriptError("GB('StreamReader').run('s')", 'StreamReader is not supported yet')

    def test_readers_without_run(self):
        for reader in ('CommandReader', 'ShardIDReader'):
            self.assertScriptError('GB(%r).run()' % reader, 'Given reader do not support run or not exists')

    def test_second_run_in_a_script(self):
        script = "GB().run()\nGB('ShardsIDReader').run()"
        _, execution, error = self.session.execute_script(script)
        self.assertTrue(error.endswith("'gears.error: Can not run more then 1 executions in a single script\\n']"))
        # the first run is still handed over, for the engine to drop it
        self.assertEqual(execution.reader, 'KeysReader')

    def test_take_pending_run_rearms_the_check(self):
        _, first, _ = self.session.execute_script('GB().run()')
        _, second, error = self.session.execute_script('GB().run()')
        self.assertIsNone(error)
        self.assertIsNot(first, second)

    def test_register_is_not_supported_yet(self):
        self.assertScriptError("GB().register('x')", 'register is not supported yet')


if __name__ == '__main__':
    unittest.main()
