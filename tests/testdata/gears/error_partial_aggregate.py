def gen():
    yield from [1, 2, 0, 4]

# the count buffered before the error is still emitted
GB('PythonReader').map(lambda x: 12 // x).count().run(gen)
