def gen():
    yield from [1, 2, 3, 4, 5]

GB('PythonReader').accumulate(lambda a, r: (a if a is not None else 0) + r).run(gen)
