def gen():
    yield from [1, 0, 2]

GB('PythonReader').map(lambda x: 10 // x).run(gen)
