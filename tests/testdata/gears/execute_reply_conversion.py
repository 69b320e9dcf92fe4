def gen():
    execute('DEL', 'ec:list')
    yield execute('RPUSH', 'ec:list', 'a', 1, 2.5)
    yield execute('LRANGE', 'ec:list', 0, -1)
    yield execute('GET', 'ec:missing')

GB('PythonReader').map(lambda v: '%s %r' % (type(v).__name__, v)).run(gen)
