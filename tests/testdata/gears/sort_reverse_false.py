def gen():
    yield from [2, 3, 1]

GB('PythonReader').sort(reverse=False).run(gen)
