def gen():
    yield 1

GB('PythonReader').map(lambda x: flat_error('custom failure')).run(gen)
