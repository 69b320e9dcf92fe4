def gen():
    yield from ['b', 'a', 'b', 'c', 'a']

GB('PythonReader').distinct().run(gen)
