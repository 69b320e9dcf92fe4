def gen():
    yield from ['x', 'y']

GB('PythonReader').repartition(lambda r: r).collect().map(lambda r: r + '!').run(gen)
