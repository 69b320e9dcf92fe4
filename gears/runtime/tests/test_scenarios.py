"""Checks tests/testdata/gears: every scenario is well formed (see the
README there) and gives its expected reply when run through the dev harness
as the engine would run it."""

import glob
import json
import os
import unittest

from support import REPO_ROOT, devserver

SCENARIOS = os.path.join(REPO_ROOT, 'tests', 'testdata', 'gears')
KEYS = {'setup', 'reply', 'error_prefix', 'unordered'}


def scenarios():
    for script_path in sorted(glob.glob(os.path.join(SCENARIOS, '*.py'))):
        name = os.path.basename(script_path)[:-3]
        with open(script_path) as f:
            script = f.read()
        with open(os.path.join(SCENARIOS, name + '.expected')) as f:
            expected = json.load(f)
        yield name, script, expected


class ScenarioFilesTest(unittest.TestCase):

    def test_every_expected_file_has_a_script(self):
        for path in glob.glob(os.path.join(SCENARIOS, '*.expected')):
            self.assertTrue(os.path.exists(path[:-len('.expected')] + '.py'), path)

    def test_there_are_scenarios(self):
        self.assertGreaterEqual(len(list(scenarios())), 25)

    def test_format(self):
        for name, _, expected in scenarios():
            with self.subTest(name):
                self.assertLessEqual(set(expected), KEYS)
                self.assertEqual(('reply' in expected) + ('error_prefix' in expected), 1)
                for command in expected.get('setup', []):
                    self.assertTrue(command and all(isinstance(a, str) for a in command))
                if 'reply' in expected:
                    results, errors = expected['reply']
                    for item in results + errors:
                        self.assertIsInstance(item, str)
                        # the format has no way to express an error or status element
                        self.assertFalse(len(item) > 1 and item[0] in '+-', item)
                else:
                    self.assertIsInstance(expected['error_prefix'], str)
                    self.assertNotIn('unordered', expected)


class ScenarioRepliesTest(unittest.TestCase):

    def test_replies(self):
        for name, script, expected in scenarios():
            with self.subTest(name):
                session = devserver.DevSession()
                for command in expected.get('setup', []):
                    session.keyspace.call(*command)
                reply = session.pyexecute(script)
                if 'error_prefix' in expected:
                    self.assertIsInstance(reply, devserver.ErrorReply, reply)
                    self.assertTrue(reply.startswith(expected['error_prefix']), reply)
                    continue
                self.assertNotIsInstance(reply, devserver.ErrorReply, reply)
                results, errors = reply
                want_results, want_errors = expected['reply']
                if expected.get('unordered'):
                    results, want_results = sorted(results), sorted(want_results)
                self.assertEqual([results, errors], [want_results, want_errors])


if __name__ == '__main__':
    unittest.main()
