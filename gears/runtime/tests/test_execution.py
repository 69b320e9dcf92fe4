"""The execution object the engine drives, and the readers (python-api.md
§4.1, §5; commands.md §2.6)."""

import unittest

from support import RuntimeTestCase


class ExecutionAttributesTest(RuntimeTestCase):

    def execution(self, script):
        _, execution, error = self.session.execute_script(script)
        self.assertIsNone(error)
        return execution

    def test_keys_reader(self):
        execution = self.execution("GB().run('user:*', noScan=False, readValue=False)")
        self.assertEqual((execution.reader, execution.arg, execution.options, execution.mode),
                         ('KeysReader', 'user:*', {'noScan': False, 'readValue': False}, 'async'))

    def test_keys_reader_defaults(self):
        execution = self.execution('GB().run()')
        self.assertEqual((execution.arg, execution.options), ('*', {'noScan': False, 'readValue': True}))

    def test_default_arg_used_when_arg_is_falsy(self):
        self.assertEqual(self.execution("GB('KeysReader', 'p*').run('')").arg, 'p*')

    def test_python_reader(self):
        execution = self.execution("def gen():\n    yield 1\nGB('PythonReader').run(gen)")
        self.assertEqual((execution.reader, execution.arg.__name__, execution.options),
                         ('PythonReader', 'gen', {}))

    def test_keys_only_reader(self):
        execution = self.execution("GB('KeysOnlyReader').run('k*', count=10)")
        self.assertEqual((execution.reader, execution.arg, execution.options), ('KeysOnlyReader', 'k*', {}))

    def test_shards_id_reader(self):
        execution = self.execution("GB('ShardsIDReader').run('ignored')")
        self.assertEqual((execution.reader, execution.arg), ('ShardsIDReader', None))

    def test_run_returns_a_future_placeholder(self):
        namespace, _, _ = self.session.execute_script("f = GB('ShardsIDReader').run()")
        self.assertIsInstance(namespace['f'], self.rt.GearsFuture)

    def test_no_run_no_execution(self):
        _, execution, error = self.session.execute_script('x = GB().map(lambda r: r)')
        self.assertIsNone(execution)
        self.assertIsNone(error)

    def test_pull_on_keys_reader_is_refused(self):
        with self.assertRaises(TypeError):
            self.execution('GB().run()').pull(10)

    def test_run_inside_an_execution_is_refused(self):
        results, errors = self.run_records([1], ".map(lambda x: GB('ShardsIDReader').run())")
        self.assertEqual(results, [])
        self.assertIn('gears.error: run inside an execution is not supported yet', errors[0])
        self.assertIsNone(self.rt._take_pending_run())


class DrivingTest(RuntimeTestCase):

    def test_feed_in_batches(self):
        _, execution, _ = self.session.execute_script("GB().map(lambda r: r['key']).run()")
        self.assertTrue(execution.feed([{'key': 'a'}, {'key': 'b'}]))
        self.assertTrue(execution.feed([]))
        self.assertTrue(execution.feed([{'key': 'c'}]))
        execution.finish()
        self.assertEqual((execution.results(), execution.errors()), (['a', 'b', 'c'], []))

    def test_feed_returns_false_when_limit_satisfied(self):
        _, execution, _ = self.session.execute_script("GB().map(lambda r: r['key']).limit(2).run()")
        self.assertFalse(execution.feed([{'key': k} for k in 'abc']))
        self.assertFalse(execution.feed([{'key': 'd'}]))
        execution.finish()
        self.assertEqual(execution.results(), ['a', 'b'])

    def test_feed_keeps_going_when_limit_is_after_a_stateful_step(self):
        _, execution, _ = self.session.execute_script("GB().map(lambda r: r['key']).sort().limit(1).run()")
        self.assertTrue(execution.feed([{'key': k} for k in 'cab']))
        execution.finish()
        self.assertEqual(execution.results(), ['a'])

    def test_pull_reports_exhaustion(self):
        _, execution, _ = self.session.execute_script("GB('PythonReader').run(lambda: iter(range(5)))")
        self.assertFalse(execution.pull(2))
        self.assertFalse(execution.pull(2))
        self.assertTrue(execution.pull(2))
        self.assertTrue(execution.pull(2))
        execution.finish()
        self.assertEqual(execution.results(), ['0', '1', '2', '3', '4'])

    def test_pull_exact_multiple_needs_one_more_call(self):
        _, execution, _ = self.session.execute_script("GB('PythonReader').run(lambda: iter(range(4)))")
        self.assertFalse(execution.pull(2))
        self.assertFalse(execution.pull(2))
        self.assertTrue(execution.pull(2))

    def test_pull_reads_lazily(self):
        script = ('pulled = []\n'
                  'def gen():\n'
                  '    for i in range(10):\n'
                  '        pulled.append(i)\n'
                  '        yield i\n'
                  "GB('PythonReader').run(gen)")
        namespace, execution, _ = self.session.execute_script(script)
        self.assertEqual(namespace['pulled'], [])
        execution.pull(3)
        self.assertEqual(namespace['pulled'], [0, 1, 2])

    def test_pull_rejects_non_positive_counts(self):
        _, execution, _ = self.session.execute_script("GB('ShardsIDReader').run()")
        with self.assertRaises(ValueError):
            execution.pull(0)

    def test_finish_is_idempotent(self):
        _, execution, _ = self.session.execute_script("GB('PythonReader').count().run(lambda: iter('ab'))")
        execution.pull(10)
        execution.finish()
        execution.finish()
        self.assertEqual(execution.results(), ['2'])

    def test_interleaved_executions_of_one_session(self):
        _, first, _ = self.session.execute_script("GB('PythonReader').count().run(lambda: iter(range(10)))")
        _, second, _ = self.session.execute_script("GB('PythonReader').count().run(lambda: iter(range(3)))")
        while not (first.pull(2) & second.pull(2)):
            pass
        first.finish()
        second.finish()
        self.assertEqual((first.results(), second.results()), (['10'], ['3']))


class ReadersTest(RuntimeTestCase):

    def setUp(self):
        super().setUp()
        self.setup_keys(['SET', 'str', 'v'], ['HSET', 'h', 'f', '1'], ['RPUSH', 'l', 'a', 'b'],
                        ['SADD', 's', 'm'], ['ZADD', 'z', '1', 'm'], ['XADD', 'x', '*', 'f', 'v'])

    def test_keys_reader(self):
        results, errors = self.run_script("GB().map(lambda r: (r['key'], r['type'], r['value'])).run()")
        self.assertEqual(sorted(results), ["('h', 'hash', {'f': '1'})", "('l', 'list', ['a', 'b'])",
                                           "('s', 'set', None)", "('str', 'string', 'v')",
                                           "('x', 'unknown', None)", "('z', 'zset', None)"])
        self.assertEqual(errors, [])

    def test_keys_only_reader(self):
        self.assertEqual(sorted(self.run_script("GB('KeysOnlyReader').run()")[0]), ['h', 'l', 's', 'str', 'x', 'z'])

    def test_keys_only_reader_pattern_and_count(self):
        self.assertEqual(sorted(self.run_script("GB('KeysOnlyReader').run('s*', count=1)")[0]), ['s', 'str'])

    def test_keys_only_reader_no_scan(self):
        self.assertEqual(self.run_script("GB('KeysOnlyReader').run('h', noScan=True)"), (['h'], []))
        self.assertEqual(self.run_script("GB('KeysOnlyReader').run('nope', noScan=True)"), ([], []))

    def test_keys_only_reader_pattern_generator(self):
        script = "GB('KeysOnlyReader').run('ignored', patternGenerator=lambda: ('l', True))"
        self.assertEqual(self.run_script(script), (['l'], []))

    def test_keys_only_reader_bad_count_is_an_error_record(self):
        results, errors = self.run_script("GB('KeysOnlyReader').run(count='x')")
        self.assertEqual(results, [])
        self.assertIn('ERR value is not an integer or out of range', errors[0])

    def test_keys_only_reader_bad_pattern_generator(self):
        results, errors = self.run_script("GB('KeysOnlyReader').run(patternGenerator='x')")
        self.assertIn("'str' object is not callable", errors[0])

    def test_create_keys_only_reader_as_python_reader(self):
        self.assertEqual(sorted(self.run_script("GB('PythonReader').run(createKeysOnlyReader('s*'))")[0]),
                         ['s', 'str'])

    def test_shards_id_reader(self):
        self.assertEqual(self.run_script("GB('ShardsIDReader').run()"), (['1'], []))


class StepsTest(RuntimeTestCase):

    def steps(self, script):
        _, execution, _ = self.session.execute_script(script)
        return [(t, n) for t, n, _ in execution.steps()]

    def test_plain_steps_last_first(self):
        self.assertEqual(self.steps('GB().map(lambda r: r).filter(lambda r: r).run(collect=False)'), [
            ('map', 'RedisGearsPy_PyCallbackMapper'),
            ('filter', 'RedisGearsPy_PyCallbackFilter'),
            ('map', 'RedisGearsPy_PyCallbackMapper'),
            ('map', 'RedisGearsPy_ToPyRecordMapper')])

    def test_groupby_and_flatmap_steps(self):
        self.assertEqual(self.steps('GB().groupby(lambda r: r, lambda k, a, r: a).flatmap(lambda r: r)'
                                    '.run(convertToStr=False)'), [
            ('collect', 'collect'),
            ('flatmap', 'flatmap'),
            ('map', 'RedisGearsPy_PyCallbackFlatMapper'),
            ('map', 'RedisGearsPy_ToPyRecordMapper'),
            ('accumulatebykey', 'RedisGearsPy_PyCallbackAccumulateByKey'),
            ('repartition', 'repartition'),
            ('extractkey', 'RedisGearsPy_PyCallbackExtractor'),
            ('map', 'RedisGearsPy_ToPyRecordMapper')])

    def test_step_arg_is_str_of_callback(self):
        _, execution, _ = self.session.execute_script(
            'def f(r):\n    return r\nGB().map(f).limit(1).run(convertToStr=False, collect=False)')
        rows = execution.steps()
        self.assertEqual(rows[0], ('limit', 'limit', ''))
        self.assertTrue(rows[1][2].startswith('<function f at 0x'), rows[1])

    def test_every_op_has_rows(self):
        script = ('GB().map(lambda r: r).flatmap(lambda r: r).filter(lambda r: r).foreach(lambda r: r)'
                  '.accumulate(lambda a, r: r).localgroupby(lambda r: r, lambda k, a, r: a)'
                  '.batchgroupby(lambda r: r, lambda k, l: l).repartition(lambda r: r).collect().limit(1)'
                  '.aggregate(0, 1, 2).aggregateby(1, 0, 2, 3).count().countby().avg().sort().distinct().run()')
        types = {t for t, _ in self.steps(script)}
        self.assertEqual(types, {'map', 'flatmap', 'filter', 'foreach', 'accumulate', 'extractkey',
                                 'accumulatebykey', 'repartition', 'group', 'reduce', 'collect', 'limit'})


if __name__ == '__main__':
    unittest.main()
