def gen():
    yield 'first'
    raise ValueError('reader broke')

GB('PythonReader').run(gen)
