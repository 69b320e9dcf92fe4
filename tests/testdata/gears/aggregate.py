def gen():
    yield from ['a', 'bb', 'ccc']

GB('PythonReader').aggregate(0, lambda a, r: a + len(r), lambda a, r: a + r).run(gen)
