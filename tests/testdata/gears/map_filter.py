def gen():
    yield from range(10)

GB('PythonReader').map(lambda x: x * x).filter(lambda x: x % 2 == 0).run(gen)
