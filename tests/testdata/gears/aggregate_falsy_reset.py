def gen():
    yield from [10, 3]

# 10 - 10 = 0 is falsy: the next call starts again from a fresh 10
GB('PythonReader').aggregate(10, lambda a, r: a - r, lambda a, r: r).run(gen)
