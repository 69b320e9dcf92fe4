def gen():
    yield from range(100)

GB('PythonReader').limit(2, 3).run(gen)
