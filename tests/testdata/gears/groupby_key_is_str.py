def gen():
    yield from range(5)

# an int key reaches the reducer and the output as str
GB('PythonReader') \
    .groupby(lambda x: x % 2, lambda k, a, r: (a or 0) + r) \
    .map(lambda g: '%s %r %s' % (type(g['key']).__name__, g['key'], g['value'])) \
    .run(gen)
