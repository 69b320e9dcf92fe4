"""Operations and their semantics (python-api.md §3)."""

import unittest

from support import RuntimeTestCase


class StreamingOperationsTest(RuntimeTestCase):

    def test_map(self):
        self.assertEqual(self.run_records([1, 2, 3], '.map(lambda x: x * 10)'),
                         (['10', '20', '30'], []))

    def test_flatmap_emits_list_elements_in_reverse_order(self):
        self.assertEqual(self.run_records(['a', 'b'], '.flatmap(lambda x: [x + "1", x + "2", x + "3"])'),
                         (['a3', 'a2', 'a1', 'b3', 'b2', 'b1'], []))

    def test_flatmap_non_list_is_one_record(self):
        self.assertEqual(self.run_records([1], '.flatmap(lambda x: (x, x))'), (['(1, 1)'], []))
        self.assertEqual(self.run_records([1], '.flatmap(lambda x: "ab")'), (['ab'], []))

    def test_flatmap_empty_list_yields_nothing(self):
        self.assertEqual(self.run_records([1, 2], '.flatmap(lambda x: [])'), ([], []))

    def test_flatmap_list_subclass_is_flattened(self):
        script = ('class L(list): pass\n'
                  "GB('PythonReader').flatmap(lambda x: L([1, 2])).run(lambda: (yield 0))")
        self.assertEqual(self.run_script(script), (['2', '1'], []))

    def test_consecutive_flatmaps(self):
        self.assertEqual(self.run_records([1], '.flatmap(lambda x: [x, x + 1]).flatmap(lambda x: [x * 10, x * 100])'),
                         (['200', '20', '100', '10'], []))

    def test_filter(self):
        self.assertEqual(self.run_records(range(6), '.filter(lambda x: x % 2)'), (['1', '3', '5'], []))

    def test_filter_uses_truthiness(self):
        self.assertEqual(self.run_records([0, 1, '', 'a', [], [0]], '.filter(lambda x: x)'),
                         (['1', 'a', '[0]'], []))

    def test_foreach_passes_the_record_on(self):
        script = ('seen = []\n'
                  "GB('PythonReader').foreach(lambda x: seen.append(x)).map(lambda x: (x, len(seen)))"
                  '.run(lambda: (yield from [5, 6]))')
        self.assertEqual(self.run_script(script), (['(5, 1)', '(6, 2)'], []))

    def test_collect_is_a_no_op(self):
        self.assertEqual(self.run_records([1, 2], '.collect().map(lambda x: x + 1).collect()'), (['2', '3'], []))

    def test_repartition_calls_extractor_and_keeps_record(self):
        script = ('calls = []\n'
                  "GB('PythonReader').repartition(lambda x: calls.append(x) or x)"
                  '.map(lambda x: (x, len(calls))).run(lambda: (yield from "ab"))')
        self.assertEqual(self.run_script(script), (["('a', 1)", "('b', 2)"], []))

    def test_repartition_extractor_error_surfaces(self):
        results, errors = self.run_records([1], '.repartition(lambda x: x.nope)')
        self.assertEqual(results, [])
        self.assertIn("AttributeError: 'int' object has no attribute 'nope'", errors[0])

    def test_convert_to_str_false_keeps_objects(self):
        self.assertEqual(self.run_records([1, None], '.map(lambda x: [x])', convertToStr=False),
                         ([[1], [None]], []))

    def test_records_go_through_str(self):
        self.assertEqual(self.run_records([{'a': 1}, None, True, 2.5, ('x', 1)], ''),
                         (["{'a': 1}", 'None', 'True', '2.5', "('x', 1)"], []))

    def test_long_streaming_chain_across_segments(self):
        pipeline = ('.map(lambda x: x + 1).filter(lambda x: x % 2).flatmap(lambda x: [x, -x])'
                    '.foreach(lambda x: None).map(lambda x: x * 2).filter(lambda x: x > 0)')
        self.assertEqual(self.run_records(range(6), pipeline), (['2', '6', '10'], []))


class LimitTest(RuntimeTestCase):

    def test_limit_length(self):
        self.assertEqual(self.run_records(range(10), '.limit(3)'), (['0', '1', '2'], []))

    def test_limit_with_offset(self):
        self.assertEqual(self.run_records(range(10), '.limit(2, 3)'), (['3', '4'], []))

    def test_limit_beyond_input(self):
        self.assertEqual(self.run_records(range(3), '.limit(5, 1)'), (['1', '2'], []))

    def test_limit_zero(self):
        self.assertEqual(self.run_records(range(3), '.limit(0)'), ([], []))

    def test_limit_stops_pulling_input(self):
        script = ('pulled = []\n'
                  'def gen():\n'
                  '    for i in range(100):\n'
                  '        pulled.append(i)\n'
                  '        yield i\n'
                  "GB('PythonReader').limit(2).run(gen)")
        namespace, execution, _ = self.session.execute_script(script)
        self.assertTrue(execution.pull(50))
        execution.finish()
        self.assertEqual(execution.results(), ['0', '1'])
        self.assertEqual(namespace['pulled'], [0, 1])

    def test_limit_after_flatmap_stops_the_flatmap(self):
        script = ('seen = []\n'
                  "GB('PythonReader').flatmap(lambda x: [1, 2, 3, 4]).foreach(lambda x: seen.append(x))"
                  '.limit(2).run(lambda: (yield 0))')
        namespace, execution, _ = self.session.execute_script(script)
        self.session.drive(execution)
        self.assertEqual(execution.results(), ['4', '3'])
        self.assertEqual(namespace['seen'], [4, 3])

    def test_limit_after_stateful_step(self):
        self.assertEqual(self.run_records(range(5), '.sort().limit(2).count()'), (['2'], []))

    def test_two_limits(self):
        self.assertEqual(self.run_records(range(10), '.limit(5).limit(2, 1)'), (['1', '2'], []))

    def test_negative_length_wraps_like_size_t(self):
        self.assertEqual(self.run_records(range(3), '.limit(-1)'), (['0', '1', '2'], []))


class AccumulateTest(RuntimeTestCase):

    def test_accumulate_starts_with_none(self):
        self.assertEqual(self.run_records([1, 2], '.accumulate(lambda a, r: [a, r])'),
                         (['[[None, 1], 2]'], []))

    def test_accumulate_does_not_reset_falsy(self):
        self.assertEqual(self.run_records([1, 2, 3], '.accumulate(lambda a, r: 0 if a is None else a)'),
                         (['0'], []))

    def test_accumulate_empty_input_emits_nothing(self):
        self.assertEqual(self.run_records([], '.accumulate(lambda a, r: 1)'), ([], []))

    def test_accumulate_of_none_is_emitted(self):
        self.assertEqual(self.run_records([1], '.accumulate(lambda a, r: None)'), (['None'], []))


class GroupingTest(RuntimeTestCase):

    def test_localgroupby(self):
        results, errors = self.run_records(range(5), '.localgroupby(lambda x: "odd" if x % 2 else "even",'
                                                     ' lambda k, a, r: (a or 0) + r)', convertToStr=False)
        self.assertEqual(sorted(results, key=lambda g: g['key']),
                         [{'key': 'even', 'value': 6}, {'key': 'odd', 'value': 4}])
        self.assertEqual(errors, [])

    def test_groupby_reducer_sees_none_first_and_str_key(self):
        results, _ = self.run_records([1, 1], '.groupby(lambda x: x, lambda k, a, r: [k, a, r])',
                                      convertToStr=False)
        self.assertEqual(results, [{'key': '1', 'value': ['1', ['1', None, 1], 1]}])

    def test_group_record_str_is_key_then_value(self):
        self.assertEqual(self.run_records(['x'], '.groupby(lambda x: x, lambda k, a, r: 1)'),
                         (["{'key': 'x', 'value': 1}"], []))

    def test_key_conversion(self):
        records = [1, None, 'plain', (1, 'a'), 2.5]
        results, _ = self.run_records(records, '.groupby(lambda x: x, lambda k, a, r: type(k).__name__)',
                                      convertToStr=False)
        self.assertEqual(sorted(g['key'] for g in results), ["(1, 'a')", '1', '2.5', 'None', 'plain'])
        self.assertEqual({g['value'] for g in results}, {'str'})

    def test_str_subclass_key_becomes_plain_str(self):
        script = ('class S(str):\n'
                  '    def __repr__(self): return "S!"\n'
                  "GB('PythonReader').groupby(lambda x: S('k'), lambda k, a, r: type(k) is str)"
                  '.run(lambda: (yield 1))')
        self.assertEqual(self.run_script(script), (["{'key': 'k', 'value': True}"], []))

    def test_batchgroupby(self):
        results, _ = self.run_records('abcab', '.batchgroupby(lambda x: x, lambda k, rs: (k, rs))',
                                      convertToStr=False)
        self.assertEqual(sorted(results, key=lambda g: g['key']),
                         [{'key': 'a', 'value': ('a', ['a', 'a'])},
                          {'key': 'b', 'value': ('b', ['b', 'b'])},
                          {'key': 'c', 'value': ('c', ['c'])}])

    def test_batchgroupby_bad_reducer_fails_at_run_time(self):
        results, errors = self.run_records('a', '.batchgroupby(lambda x: x, 1)')
        self.assertEqual(results, [])
        self.assertIn("'int' object is not callable", errors[0])

    def test_groupby_empty_input(self):
        self.assertEqual(self.run_records([], '.groupby(lambda x: x, lambda k, a, r: 1)'), ([], []))


class SugarOperationsTest(RuntimeTestCase):

    def test_aggregate(self):
        self.assertEqual(self.run_records([1, 2, 3], '.aggregate(0, lambda a, r: a + r, lambda a, r: a + r)'),
                         (['6'], []))

    def test_aggregate_falsy_accumulator_is_reset(self):
        # 10 - 10 = 0 is falsy, so the next call starts again from a copy of 10
        self.assertEqual(self.run_records([10, 3], '.aggregate(10, lambda a, r: a - r, lambda a, r: r)'),
                         (['7'], []))

    def test_aggregate_zero_is_deep_copied(self):
        script = ('zero = {"n": []}\n'
                  'def add(a, r):\n'
                  '    a["n"].append(r)\n'
                  '    return a\n'
                  "GB('PythonReader').aggregate(zero, add, lambda a, r: r).map(lambda a: (a, zero))"
                  '.run(lambda: (yield from [1, 2]))')
        self.assertEqual(self.run_script(script), (["({'n': [1, 2]}, {'n': []})"], []))

    def test_aggregate_empty_input(self):
        self.assertEqual(self.run_records([], '.aggregate(0, lambda a, r: a + r, lambda a, r: a + r)'), ([], []))

    def test_aggregate_bad_callbacks_fail_at_run_time(self):
        results, errors = self.run_records([1], '.aggregate(0, 1, 2)')
        self.assertEqual(results, [])
        self.assertEqual(errors, ["Error type: <class 'TypeError'>, Value: 'int' object is not callable"])

    def test_aggregateby(self):
        results, _ = self.run_records(['aa', 'b', 'cc'], '.aggregateby(lambda x: len(x), "",'
                                                          ' lambda k, a, r: a + r, lambda k, a, r: a + r)',
                                      convertToStr=False)
        self.assertEqual(sorted(results, key=lambda g: g['key']),
                         [{'key': '1', 'value': 'b'}, {'key': '2', 'value': 'aacc'}])

    def test_count(self):
        self.assertEqual(self.run_records(range(7), '.count()'), (['7'], []))

    def test_count_empty_input(self):
        self.assertEqual(self.run_records([], '.count()'), ([], []))

    def test_countby(self):
        results, _ = self.run_records('abcab', '.countby()', convertToStr=False)
        self.assertEqual(sorted((g['key'], g['value']) for g in results), [('a', 2), ('b', 2), ('c', 1)])

    def test_countby_extractor(self):
        results, _ = self.run_records(['x', 'yy', 'zz'], '.countby(lambda x: len(x))', convertToStr=False)
        self.assertEqual(sorted((g['key'], g['value']) for g in results), [('1', 1), ('2', 2)])

    def test_avg(self):
        self.assertEqual(self.run_records(['1', '2', '3', '4'], '.avg()'), (['2.5'], []))

    def test_avg_extractor(self):
        self.assertEqual(self.run_records([{'v': 1}, {'v': 2}], '.avg(lambda r: r["v"])'), (['1.5'], []))

    def test_avg_empty_input(self):
        self.assertEqual(self.run_records([], '.avg()'), ([], []))

    def test_sort_default_is_ascending(self):
        self.assertEqual(self.run_records('zxy', '.sort()'), (['x', 'y', 'z'], []))

    def test_sort_reverse_false_is_descending(self):
        self.assertEqual(self.run_records([3, 1, 2], '.sort(False)'), (['3', '2', '1'], []))

    def test_sort_empty_input(self):
        self.assertEqual(self.run_records([], '.sort()'), ([], []))

    def test_distinct(self):
        results, errors = self.run_records('abcabca', '.distinct()')
        self.assertEqual(sorted(results), ['a', 'b', 'c'])
        self.assertEqual(errors, [])


if __name__ == '__main__':
    unittest.main()
