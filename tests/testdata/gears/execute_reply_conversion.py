def gen():
    execute('DEL', 'ec:h')
    yield execute('HSET', 'ec:h', 'a', 1, 'b', 2.5)
    yield execute('HGETALL', 'ec:h')
    yield execute('GET', 'ec:missing')

# integer -> int, array -> list of str, null -> None; arguments go through str()
GB('PythonReader').map(lambda v: '%s %r' % (type(v).__name__, v)).run(gen)
