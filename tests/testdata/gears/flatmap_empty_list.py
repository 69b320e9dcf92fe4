def gen():
    yield 1

GB('PythonReader').flatmap(lambda x: (x, x + 1)).flatmap(lambda t: []).run(gen)
