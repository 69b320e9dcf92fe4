def gen():
    yield from []

GB('PythonReader').accumulate(lambda a, r: 1).run(gen)
