def gen():
    yield from ['aa', 'b', 'cc', 'ddd']

GB('PythonReader').aggregateby(lambda x: len(x), '', lambda k, a, r: a + r, lambda k, a, r: a + r).run(gen)
