def gen():
    yield 1

GB('PythonReader').map(lambda x: log(x)).run(gen)
