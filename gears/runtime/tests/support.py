"""Shared helpers of the runtime unit tests (run with
``python3 -m unittest discover gears/runtime/tests``)."""

import os
import sys
import unittest

DEVTOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, 'devtools')
REPO_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, os.pardir)
sys.path.insert(0, DEVTOOLS)

import devserver  # noqa: E402  (needs the path above)


class RuntimeTestCase(unittest.TestCase):
    """Every test gets a fresh session (stand-in native module + runtime)."""

    config = None

    def setUp(self):
        self.session = devserver.DevSession(config=self.config)
        self.rt = self.session.runtime
        self.rg = self.session.native

    def setup_keys(self, *commands):
        for command in commands:
            self.session.keyspace.call(*command)

    def pyexecute(self, script):
        return self.session.pyexecute(script)

    def run_records(self, records, pipeline, **run_kwargs):
        """Run `GB('PythonReader')<pipeline>.run(gen, **run_kwargs)` over
        records; returns (results, errors) as Python objects."""
        self.session.runtime.records = list(records)
        kwargs = ''.join(', %s=%r' % kv for kv in run_kwargs.items())
        script = ('import __gears__\n'
                  'def gen():\n'
                  '    yield from __gears__.records\n'
                  "GB('PythonReader')%s.run(gen%s)\n" % (pipeline, kwargs))
        return self.run_script(script)

    def run_script(self, script):
        """Execute a script that calls run(); drive it; (results, errors)."""
        _, execution, error = self.session.execute_script(script)
        if error is not None:
            self.fail('script failed: ' + error)
        self.assertIsNotNone(execution, 'the script did not call run()')
        return self.session.drive(execution)

    def script_error(self, script):
        """The error text of a script expected to fail."""
        _, _, error = self.session.execute_script(script)
        self.assertIsNotNone(error, 'the script did not fail')
        return error

    def assertScriptError(self, script, message):
        """The script fails with gears.error `message` (traceback form)."""
        error = self.script_error(script)
        self.assertTrue(error.endswith(repr('gears.error: %s\n' % message) + ']'), error)


def traceback_error(message, line=1, where='<lambda>'):
    """The traceback-form text (§9) of an error raised in a one-frame callback."""
    return str(['Traceback (most recent call last):\n',
                '  File "<string>", line %d, in %s\n' % (line, where),
                message + '\n'])
