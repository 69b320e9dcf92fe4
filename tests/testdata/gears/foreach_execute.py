def gen():
    yield 'a'
    yield 'b'

GB('PythonReader') \
    .foreach(lambda x: execute('SET', 'fe:' + x, x.upper())) \
    .map(lambda x: execute('GET', 'fe:' + x)) \
    .run(gen)
