def gen():
    yield from ['apple', 'avocado', 'banana', 'blueberry', 'cherry']

GB('PythonReader').localgroupby(lambda x: x[0], lambda k, a, r: (a or 0) + 1).run(gen)
